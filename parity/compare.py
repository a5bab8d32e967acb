"""Compare an implementation's answers with the golden cases (FORMAT.md rules).

Every kernel matches bit for bit except ``lif_step``'s ``v`` output, which
matches within 1e-12 relative (absolute 1e-12 where ``|expected| < 1``).  A
golden file's ``rtol`` directives (:attr:`GoldenFile.rtol`) give other outputs
a tolerance the same way: ``|got - expected| <= rtol * max(|expected|, 1)``,
or the same bit pattern, or both NaN.  ``str`` outputs match exactly.  An
invalid case is passed only by a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .golden_format import Case, FormatError, GoldenFile, HarnessAnswer, dtype_tag

__all__ = ["Answer", "Mismatch", "KernelResult", "TOLERANCES", "tolerances", "compare_array",
           "compare_case", "compare_kernel", "format_value", "answer_from_harness"]

#: (kernel, output) -> relative tolerance; everything else is bit-exact.
TOLERANCES: dict[tuple[str, str], float] = {("lif_step", "v"): 1e-12}


@dataclass
class Answer:
    """What an implementation did with one case.

    Attributes
    ----------
    status : str
        ``"ok"`` (answered with ``outputs``), ``"invalid"`` (refused the
        inputs: ``ValueError``/``TypeError`` in Python, ``case <id> invalid``
        from a harness), ``"error"`` (anything else: an unexpected exception)
        or ``"n/a"`` (the implementation does not cover this case).
    outputs : dict of str to ndarray
    reason : str
        The refusal reason or error text.
    """

    status: str
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    reason: str = ""


@dataclass
class Mismatch:
    """The first difference found in one case."""

    case_id: int
    comment: str
    message: str
    output: str | None = None
    index: tuple[int, ...] | None = None
    expected: str | None = None
    got: str | None = None
    #: What ``output`` names: ``"output"``, or ``"input"`` when two golden files are compared.
    role: str = "output"

    def describe(self) -> str:
        """One human-readable line (case id, output, index, expected, got)."""
        where = f"case {self.case_id} ({self.comment})"
        if self.output is not None:
            where += f", {self.role} {self.output!r}"
        if self.index is not None:
            where += f", index {self.index}"
        text = f"{where}: {self.message}"
        if self.expected is not None or self.got is not None:
            text += f"; expected {self.expected}, got {self.got}"
        return text


@dataclass
class KernelResult:
    """One kernel of one language against its golden file.

    Attributes
    ----------
    kernel : str
    status : str
        ``"pass"``, ``"fail"``, ``"n/a"`` (the language does not implement
        the kernel) or ``"error"`` (could not be run: harness crashed, bad
        output, build failed).
    passed, total, not_applicable : int
        Cases passed, cases checked (excluding n/a ones), cases n/a.
    first : Mismatch or None
        The first failing case.
    failures : int
        Number of failing cases.
    note : str
        Extra information (why it could not run).
    """

    kernel: str
    status: str
    passed: int = 0
    total: int = 0
    not_applicable: int = 0
    failures: int = 0
    first: Mismatch | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing failed (``pass`` or ``n/a``)."""
        return self.status in ("pass", "n/a")

    def cell(self) -> str:
        """Short table cell, e.g. ``pass 24/24`` or ``FAIL 3/24``."""
        if self.status == "n/a":
            return "n/a"
        if self.status == "error":
            return "ERROR"
        text = f"{'pass' if self.status == 'pass' else 'FAIL'} {self.passed}/{self.total}"
        if self.not_applicable:
            text += f" ({self.not_applicable} n/a)"
        return text


def format_value(value: object, tag: str) -> str:
    """A value for a message: floats also as their bit pattern, ints as decimal, strs quoted."""
    if tag == "str":
        return repr(str(value))
    if tag == "f64":
        x = np.float64(value)
        return f"{float(x)!r} ({int(np.array(x).view(np.uint64)):016x})"
    return str(int(value))  # type: ignore[arg-type]


def _first_index(diff: np.ndarray) -> tuple[int, ...]:
    flat = int(np.flatnonzero(diff.reshape(-1))[0])
    return tuple(int(i) for i in np.unravel_index(flat, diff.shape)) if diff.ndim else ()


def tolerances(kernel: str, rtol: Mapping[str, float] | None = None) -> dict[str, float]:
    """Output name -> relative tolerance for ``kernel``: :data:`TOLERANCES` plus ``rtol``."""
    found = {out: tol for (k, out), tol in TOLERANCES.items() if k == kernel}
    found.update(rtol or {})
    return found


def compare_array(case: Case, name: str, want: np.ndarray, got: object,
                  rel: float | None, role: str = "output") -> Mismatch | None:
    """``None`` when ``got`` matches ``want`` (FORMAT.md rules), else the first difference.

    Parameters
    ----------
    case : Case
        The case (its id and comment go into the :class:`Mismatch`).
    name : str
        The array's name.
    want, got : ndarray
        Expected and actual values; dtype and shape must match.
    rel : float or None
        Relative tolerance of an ``f64`` array (``None``: bit for bit).
    role : str, default "output"
        ``"output"`` or ``"input"``, for the message.
    """
    found = _compare_array(case, name, want, got, rel)
    if found is not None:
        found.role = role
    return found


def _compare_array(case: Case, name: str, want: np.ndarray, got: object,
                   rel: float | None) -> Mismatch | None:
    tag = dtype_tag(want)
    got_arr = np.asarray(got)
    try:
        got_tag = dtype_tag(got_arr)
    except FormatError:
        got_tag = str(got_arr.dtype)
    if got_tag != tag:
        return Mismatch(case.id, case.comment, "wrong dtype", name, None, tag, got_tag)
    if got_arr.shape != want.shape:
        return Mismatch(case.id, case.comment, "wrong shape", name, None, str(want.shape),
                        str(got_arr.shape))
    if tag == "f64":
        want_bits = want.view(np.uint64)
        # ascontiguousarray makes a 0-D array 1-D: back to the golden shape
        got_bits = np.ascontiguousarray(got_arr).view(np.uint64).reshape(want.shape)
        diff = want_bits != got_bits
        if rel is not None and diff.any():
            with np.errstate(invalid="ignore", over="ignore"):
                close = np.abs(got_arr - want) <= rel * np.maximum(np.abs(want), 1.0)
            close |= np.isnan(got_arr) & np.isnan(want)
            diff &= ~close
    elif tag == "str":
        diff = np.array([g != w for g, w in zip(np.asarray(got_arr).reshape(-1).tolist(),
                                                 want.reshape(-1).tolist())],
                        dtype=bool).reshape(want.shape)
    else:
        diff = want != got_arr
    if not diff.any():
        return None
    index = _first_index(diff)
    message = "values differ"
    if rel is not None and tag == "f64":
        message += f" (beyond relative tolerance {rel:g})"
    return Mismatch(case.id, case.comment, message, name, index,
                    format_value(want[index], tag), format_value(got_arr[index], tag))


def compare_case(kernel: str, case: Case, answer: Answer,
                 rtol: Mapping[str, float] | None = None) -> Mismatch | None:
    """``None`` when ``answer`` is right for ``case``, else the first difference.

    ``rtol``: the golden file's tolerances (:attr:`GoldenFile.rtol`), added to
    :data:`TOLERANCES`.
    """
    tols = tolerances(kernel, rtol)
    if not case.valid:
        if answer.status == "invalid":
            return None
        if answer.status == "ok":
            return Mismatch(case.id, case.comment,
                            "accepted invalid input (expected a refusal)")
        return Mismatch(case.id, case.comment,
                        f"expected a refusal (ValueError/TypeError), got an error: "
                        f"{answer.reason}")
    if answer.status == "invalid":
        return Mismatch(case.id, case.comment, f"refused valid input: {answer.reason}")
    if answer.status != "ok":
        return Mismatch(case.id, case.comment, f"failed on valid input: {answer.reason}")
    for name, want in case.outputs.items():
        if name not in answer.outputs:
            return Mismatch(case.id, case.comment, "output missing", name)
        found = compare_array(case, name, want, answer.outputs[name], tols.get(name))
        if found is not None:
            return found
    extra = [n for n in answer.outputs if n not in case.outputs]
    if extra:
        return Mismatch(case.id, case.comment, f"unexpected output(s) {', '.join(extra)}")
    return None


def compare_kernel(golden: GoldenFile, answers: dict[int, Answer]) -> KernelResult:
    """Check every case of ``golden`` against ``answers`` (by case id).

    A case without an answer fails; answers to unknown case ids fail too.
    Cases answered ``n/a`` are counted apart; if every case is ``n/a`` the
    kernel is ``n/a``.
    """
    result = KernelResult(golden.kernel, "pass")
    known = {c.id for c in golden.cases}
    for case in golden.cases:
        answer = answers.get(case.id)
        if answer is None:
            found: Mismatch | None = Mismatch(case.id, case.comment, "no answer for this case")
        elif answer.status == "n/a":
            result.not_applicable += 1
            continue
        else:
            found = compare_case(golden.kernel, case, answer, golden.rtol)
        result.total += 1
        if found is None:
            result.passed += 1
        else:
            result.failures += 1
            if result.first is None:
                result.first = found
    unknown = sorted(set(answers) - known)
    if unknown:
        result.failures += 1
        if result.first is None:
            result.first = Mismatch(unknown[0], "?", "answer for a case id the golden file "
                                    "does not have")
    if result.failures:
        result.status = "fail"
    elif result.total == 0:
        result.status = "n/a"
    return result


def answer_from_harness(harness: HarnessAnswer) -> Answer:
    """A parsed harness answer as an :class:`Answer`."""
    if harness.ok:
        return Answer("ok", dict(harness.outputs))
    return Answer("invalid", reason=harness.reason or "(no reason given)")
