"""Reader and writer of the golden-vector exchange format (parity/FORMAT.md, v1).

A golden file holds one kernel's (or one safety mirror's) cases.  Each case
has an id, a comment, an expected result (valid with outputs, or invalid) and
its named input arrays.  Arrays are NumPy arrays whose dtype is one of the
format dtypes (``u64``, ``i64``, ``u8``, ``f64``, ``str``); a scalar is a 0-D
array.  ``str`` arrays are read as NumPy ``StringDType`` arrays (which keep
every character, NUL included); the writer also takes fixed-width unicode
(``<U``) arrays.  A file may declare per-output comparison tolerances
(``rtol <output> <value>`` lines, :attr:`GoldenFile.rtol`).

The same array-line syntax is used by mirror harnesses for their answers
(see :func:`parse_harness_output`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, TextIO

import numpy as np

__all__ = ["FORMAT_VERSION", "DTYPES", "STR_DTYPE", "Case", "GoldenFile", "FormatError",
           "HarnessAnswer", "format_array_line", "parse_array_line", "write_golden",
           "dumps_golden", "read_golden", "loads_golden", "parse_harness_output", "dtype_tag",
           "encode_str", "decode_str", "format_rtol", "parse_rtol"]

FORMAT_VERSION = 1

#: The NumPy dtype of ``str`` arrays read from a file (variable-width UTF-8 strings).
STR_DTYPE: np.dtype = np.dtypes.StringDType()

#: Format dtype tag -> NumPy dtype.
DTYPES: dict[str, np.dtype] = {
    "u64": np.dtype(np.uint64),
    "i64": np.dtype(np.int64),
    "u8": np.dtype(np.uint8),
    "f64": np.dtype(np.float64),
    "str": STR_DTYPE,
}
_TAGS = {dt: tag for tag, dt in DTYPES.items() if tag != "str"}
_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")
# A str value: "s:" then unreserved ASCII bytes or %XX (uppercase hex) escapes.
_STR_TOKEN = re.compile(r"^s:(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*$")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# An rtol value: a plain decimal or exponent spelling (Python's repr of the float).
_RTOL_TOKEN = re.compile(r"^[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?$")
_NAME = re.compile(r"^[A-Za-z0-9_]+$")


class FormatError(ValueError):
    """A golden file or a harness answer that breaks parity/FORMAT.md."""


def dtype_tag(arr: np.ndarray) -> str:
    """The format tag (``u64``, ``i64``, ``u8``, ``f64``, ``str``) of ``arr``'s dtype.

    ``StringDType`` and fixed-width unicode (``<U``) arrays are ``str``.

    Raises
    ------
    FormatError
        If the dtype has no tag in the format.
    """
    if arr.dtype.kind in "TU":
        return "str"
    try:
        return _TAGS[np.dtype(arr.dtype)]
    except KeyError:
        raise FormatError(f"dtype {arr.dtype} cannot be written; the format has "
                          f"{', '.join(DTYPES)}") from None


def encode_str(value: str) -> str:
    """One ``str`` value as its token: ``s:`` + the percent-encoded UTF-8 bytes.

    ASCII letters, digits and ``-._~`` are written as they are; every other
    byte as ``%XX`` (two uppercase hex digits).  The empty string is ``s:``.

    Raises
    ------
    FormatError
        If ``value`` is not a ``str`` or cannot be encoded as UTF-8 (a lone
        surrogate).
    """
    if not isinstance(value, str):
        raise FormatError(f"a str array value must be a str, got {type(value).__name__}")
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise FormatError(f"str value {value!r} is not valid Unicode: {exc}") from None
    return "s:" + "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in data)


def decode_str(token: str, where: str = "value") -> str:
    """The string a ``s:`` token spells (the inverse of :func:`encode_str`).

    Raises
    ------
    FormatError
        If the token is not in canonical form: no ``s:`` prefix, a character
        outside ``A-Z a-z 0-9 - . _ ~ %``, a ``%`` not followed by two
        uppercase hex digits, an escaped unreserved byte (``%41`` for ``A``),
        or bytes that are not valid UTF-8.
    """
    if not _STR_TOKEN.match(token):
        raise FormatError(f"{where}: str value must be 's:' then unreserved characters or "
                          f"%XX escapes, got {token[:60]!r}")
    data = bytearray()
    k = 2
    while k < len(token):
        if token[k] == "%":
            byte = int(token[k + 1:k + 3], 16)
            if byte in _UNRESERVED:
                raise FormatError(f"{where}: str value escapes the unreserved character "
                                  f"{chr(byte)!r} ({token[k:k + 3]}); write it as it is")
            data.append(byte)
            k += 3
        else:
            data.append(ord(token[k]))
            k += 1
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{where}: str value {token[:60]!r} is not valid UTF-8: {exc}") \
            from None


def format_rtol(name: str, rtol: float) -> str:
    """The directive line ``rtol <name> <value>`` (value: Python's ``repr`` of the float)."""
    _check_name(name, "rtol output name")
    value = float(rtol)
    if not (math.isfinite(value) and value > 0.0):
        raise FormatError(f"rtol of {name!r} must be a finite float > 0, got {rtol!r}")
    return f"rtol {name} {value!r}"


def parse_rtol(rest: str, where: str = "line") -> tuple[str, float]:
    """``(name, value)`` of an ``rtol`` directive's text after the keyword.

    Raises
    ------
    FormatError
        Unless it is exactly ``<name> <value>`` with a valid array name and a
        finite value > 0 in the canonical spelling :func:`format_rtol` writes.
    """
    parts = rest.split(" ")
    if len(parts) != 2:
        raise FormatError(f"{where}: expected 'rtol <output> <value>', got 'rtol {rest}'")
    name, token = parts
    _check_name(name, f"{where}: rtol output name")
    if not _RTOL_TOKEN.match(token):
        raise FormatError(f"{where}: rtol value must be a decimal float such as 1e-12, "
                          f"got {token!r}")
    value = float(token)
    if not (math.isfinite(value) and value > 0.0) or repr(value) != token:
        raise FormatError(f"{where}: rtol value must be finite, > 0 and written as "
                          f"{repr(value)!r}, got {token!r}")
    return name, value


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise FormatError(f"{what} must be ASCII letters, digits and '_', got {name!r}")


@dataclass
class Case:
    """One golden case.

    Attributes
    ----------
    id : int
        Positive, unique in its file.
    comment : str
        One line of free text.
    valid : bool
        ``True`` when implementations must answer with ``outputs``; ``False``
        when they must refuse the inputs.
    inputs, outputs : dict of str to ndarray
        Named arrays in file order (``outputs`` is empty for invalid cases).
    """

    id: int
    comment: str
    valid: bool
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    outputs: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class GoldenFile:
    """A kernel name and its cases, in file order."""

    kernel: str
    cases: list[Case] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    #: Output name -> relative tolerance (``rtol`` directives, in file order).
    #: An output not listed here matches bit for bit.
    rtol: dict[str, float] = field(default_factory=dict)


def _format_values(arr: np.ndarray, tag: str) -> list[str]:
    flat = np.ascontiguousarray(arr).reshape(-1)
    if tag == "str":
        return [encode_str(v) for v in flat.tolist()]
    if tag == "f64":
        return [f"{w:016x}" for w in flat.astype("<f8").view("<u8").tolist()]
    return [str(v) for v in flat.tolist()]


def format_array_line(kind: str, name: str, arr: np.ndarray) -> str:
    """One ``in``/``out`` line: ``<kind> <name> <dtype> <ndim> <dims…> : <values…>``.

    Parameters
    ----------
    kind : str
        ``"in"`` or ``"out"``.
    name : str
        Array name: no whitespace, no ``:``.
    arr : ndarray
        Of dtype uint64, int64, uint8, float64 or a string dtype (``StringDType``
        or ``<U``) (any shape, 0-D for a scalar).

    Returns
    -------
    str
        The line without its newline.  An empty array ends in ``" :"``.
    """
    if kind not in ("in", "out"):
        raise FormatError(f"kind must be 'in' or 'out', got {kind!r}")
    if not name or any(c.isspace() for c in name) or ":" in name:
        raise FormatError(f"array name must be non-empty without spaces or ':', got {name!r}")
    arr = np.asarray(arr)
    if arr.dtype == object:
        raise FormatError(f"array {name!r}: object arrays cannot be written; use a string "
                          "dtype (StringDType) for strings")
    tag = dtype_tag(arr)
    head = [kind, name, tag, str(arr.ndim), *(str(d) for d in arr.shape), ":"]
    return " ".join(head + _format_values(arr, tag))


def _parse_values(tokens: list[str], tag: str, where: str) -> np.ndarray:
    if tag == "str":
        return np.array([decode_str(tok, where) for tok in tokens], dtype=STR_DTYPE)
    if tag == "f64":
        for tok in tokens:
            if not _HEX16.match(tok):
                raise FormatError(f"{where}: f64 value must be 16 hex digits, got {tok!r}")
        bits = np.array([int(tok, 16) for tok in tokens], dtype=np.uint64)
        return bits.view(np.float64)
    dtype = DTYPES[tag]
    info = np.iinfo(dtype)
    values = []
    for tok in tokens:
        try:
            value = int(tok, 16) if tok.lower().startswith("0x") else int(tok, 10)
        except ValueError:
            raise FormatError(f"{where}: {tag} value must be a decimal integer, "
                              f"got {tok!r}") from None
        if not info.min <= value <= info.max:
            raise FormatError(f"{where}: {tag} value {value} out of range "
                              f"[{info.min}, {info.max}]")
        values.append(value)
    return np.array(values, dtype=dtype)


def parse_array_line(line: str, where: str = "line") -> tuple[str, str, np.ndarray]:
    """Parse one ``in``/``out`` line into ``(kind, name, array)``.

    Raises
    ------
    FormatError
        On a malformed line (unknown dtype, bad rank or dims, wrong number of
        values, a value that does not fit the dtype).
    """
    head, sep, tail = line.partition(":")
    if not sep:
        raise FormatError(f"{where}: array line needs ' : ' before its values: {line[:80]!r}")
    parts = head.split()
    if len(parts) < 4 or parts[0] not in ("in", "out"):
        raise FormatError(f"{where}: expected '<in|out> <name> <dtype> <ndim> <dims...> :', "
                          f"got {head.strip()[:80]!r}")
    kind, name, tag, ndim_tok, *dim_toks = parts
    if tag not in DTYPES:
        raise FormatError(f"{where}: dtype must be one of {', '.join(DTYPES)}, got {tag!r}")
    try:
        ndim = int(ndim_tok)
        dims = [int(d) for d in dim_toks]
    except ValueError:
        raise FormatError(f"{where}: ndim and dims must be integers: {head.strip()[:80]!r}") \
            from None
    if ndim < 0 or len(dims) != ndim or any(d < 0 for d in dims):
        raise FormatError(f"{where}: ndim {ndim} needs {ndim} non-negative dims, got {dims}")
    tokens = tail.split()
    count = int(np.prod(dims, dtype=np.int64)) if dims else 1
    if len(tokens) != count:
        raise FormatError(f"{where}: shape {tuple(dims)} needs {count} values, "
                          f"got {len(tokens)}")
    arr = _parse_values(tokens, tag, where).reshape(dims)
    return kind, name, arr


def _case_lines(case: Case) -> Iterable[str]:
    if case.id <= 0:
        raise FormatError(f"case id must be a positive integer, got {case.id}")
    if "\n" in case.comment or "\r" in case.comment:
        raise FormatError(f"case {case.id}: comment must be one line")
    if not case.valid and case.outputs:
        raise FormatError(f"case {case.id}: an invalid case has no outputs")
    yield f"case {case.id}"
    yield f"comment {case.comment}".rstrip()
    yield f"result {'valid' if case.valid else 'invalid'}"
    for name, arr in case.inputs.items():
        yield format_array_line("in", name, arr)
    for name, arr in case.outputs.items():
        yield format_array_line("out", name, arr)
    yield "end"


def _check_rtol_outputs(rtol: dict[str, float], cases: list[Case], source: str) -> None:
    """Every ``rtol`` output must be an ``f64`` output of some case, and of no other dtype."""
    for name in rtol:
        tags = {dtype_tag(c.outputs[name]) for c in cases if name in c.outputs}
        if tags != {"f64"}:
            found = ", ".join(sorted(tags)) or "no case lists it"
            raise FormatError(f"{source}: rtol names output {name!r}, which must be an f64 "
                              f"output of at least one case ({found})")


def dumps_golden(golden: GoldenFile) -> str:
    """The text of a golden file (ASCII, ``\\n`` line ends, final newline).

    ``rtol`` directives come right after the ``kernel`` line, in
    :attr:`GoldenFile.rtol` order.
    """
    seen: set[int] = set()
    lines = [f"# {h}".rstrip() for h in golden.header]
    lines.append(f"kernel {golden.kernel}")
    lines.extend(format_rtol(name, value) for name, value in golden.rtol.items())
    _check_rtol_outputs(golden.rtol, golden.cases, f"kernel {golden.kernel}")
    for case in golden.cases:
        if case.id in seen:
            raise FormatError(f"case id {case.id} is used twice")
        seen.add(case.id)
        lines.extend(_case_lines(case))
    text = "\n".join(lines) + "\n"
    text.encode("ascii")  # the format is ASCII; fail loudly otherwise
    return text


def write_golden(golden: GoldenFile, path: str | Path) -> None:
    """Write ``golden`` to ``path`` (byte-stable: same cases, same bytes)."""
    Path(path).write_bytes(dumps_golden(golden).encode("ascii"))


def _content_lines(stream: Iterable[str]) -> Iterable[tuple[int, str]]:
    for number, raw in enumerate(stream, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield number, line


def loads_golden(text: str | TextIO, source: str = "<golden>") -> GoldenFile:
    """Parse golden-file text (or an open text stream).

    Raises
    ------
    FormatError
        On anything that breaks the format: a missing ``kernel`` line, a case
        without ``result`` or ``end``, outputs in an invalid case, duplicate
        or non-positive ids, a malformed array line, an ``rtol`` directive
        that is malformed, repeated, placed after the first case or names no
        ``f64`` output.
    """
    stream = text.splitlines() if isinstance(text, str) else text
    header: list[str] = []
    if isinstance(text, str):
        for raw in stream:
            if raw.startswith("#"):
                header.append(raw[1:].strip())
            elif raw.strip():
                break
    golden: GoldenFile | None = None
    case: Case | None = None
    result_seen = False
    for number, line in _content_lines(stream):
        where = f"{source}:{number}"
        word, _, rest = line.partition(" ")
        if golden is None:
            if word != "kernel" or not rest.strip():
                raise FormatError(f"{where}: the first line must be 'kernel <name>'")
            golden = GoldenFile(rest.strip(), header=header)
            continue
        if word == "rtol":
            if golden.cases or case is not None:
                raise FormatError(f"{where}: 'rtol' lines come before the first case")
            name, value = parse_rtol(rest, where)
            if name in golden.rtol:
                raise FormatError(f"{where}: rtol of {name!r} given twice")
            golden.rtol[name] = value
            continue
        if case is None:
            if word != "case":
                raise FormatError(f"{where}: expected 'case <id>', got {line[:60]!r}")
            try:
                case_id = int(rest.strip())
            except ValueError:
                raise FormatError(f"{where}: case id must be an integer, got {rest!r}") from None
            if case_id <= 0 or any(c.id == case_id for c in golden.cases):
                raise FormatError(f"{where}: case id {case_id} must be positive and unique")
            case, result_seen = Case(case_id, "", True), False
            continue
        if word == "comment":
            case.comment = rest
        elif word == "result":
            if rest.strip() not in ("valid", "invalid"):
                raise FormatError(f"{where}: result must be 'valid' or 'invalid', got {rest!r}")
            case.valid, result_seen = rest.strip() == "valid", True
        elif word in ("in", "out"):
            kind, name, arr = parse_array_line(line, where)
            target = case.inputs if kind == "in" else case.outputs
            if name in target:
                raise FormatError(f"{where}: {kind} array {name!r} given twice")
            target[name] = arr
        elif word == "end":
            if not result_seen:
                raise FormatError(f"{where}: case {case.id} has no 'result' line")
            if not case.valid and case.outputs:
                raise FormatError(f"{where}: invalid case {case.id} lists outputs")
            golden.cases.append(case)
            case = None
        else:
            raise FormatError(f"{where}: unknown line {line[:60]!r}")
    if golden is None:
        raise FormatError(f"{source}: no 'kernel' line")
    if case is not None:
        raise FormatError(f"{source}: case {case.id} has no 'end'")
    _check_rtol_outputs(golden.rtol, golden.cases, source)
    return golden


def read_golden(path: str | Path) -> GoldenFile:
    """Read a golden file; see :func:`loads_golden`."""
    path = Path(path)
    return loads_golden(path.read_text(encoding="ascii"), source=str(path))


@dataclass
class HarnessAnswer:
    """A mirror harness's answer to one case.

    Attributes
    ----------
    id : int
        The case id.
    ok : bool
        ``True`` for ``case <id> ok`` (with ``outputs``), ``False`` for
        ``case <id> invalid <reason>``.
    reason : str
        The refusal reason (empty for ``ok``).
    outputs : dict of str to ndarray
        The ``out`` lines that followed, in order.
    """

    id: int
    ok: bool
    reason: str = ""
    outputs: dict[str, np.ndarray] = field(default_factory=dict)


def parse_harness_output(text: str, source: str = "harness") -> dict[int, HarnessAnswer]:
    """Parse a harness's stdout (FORMAT.md, "Harness protocol").

    Blank lines, ``#`` lines and ``end`` lines are ignored.

    Returns
    -------
    dict of int to HarnessAnswer
        In output order.

    Raises
    ------
    FormatError
        On an unknown line, an ``out`` line outside an ``ok`` case, a case
        answered twice or a repeated output name.
    """
    answers: dict[int, HarnessAnswer] = {}
    current: HarnessAnswer | None = None
    for number, line in _content_lines(text.splitlines()):
        where = f"{source} stdout line {number}"
        word, _, rest = line.partition(" ")
        if word == "case":
            fields = rest.split(None, 2)
            if len(fields) < 2 or fields[1] not in ("ok", "invalid"):
                raise FormatError(f"{where}: expected 'case <id> ok' or "
                                  f"'case <id> invalid <reason>', got {line[:80]!r}")
            try:
                case_id = int(fields[0])
            except ValueError:
                raise FormatError(f"{where}: case id must be an integer, "
                                  f"got {fields[0]!r}") from None
            if case_id in answers:
                raise FormatError(f"{where}: case {case_id} answered twice")
            ok = fields[1] == "ok"
            reason = "" if ok else (fields[2] if len(fields) > 2 else "")
            current = HarnessAnswer(case_id, ok, reason)
            answers[case_id] = current
        elif word == "out":
            if current is None or not current.ok:
                raise FormatError(f"{where}: 'out' line outside a 'case <id> ok' answer")
            _, name, arr = parse_array_line(line, where)
            if name in current.outputs:
                raise FormatError(f"{where}: case {current.id} gives output {name!r} twice")
            current.outputs[name] = arr
        elif word == "end":
            continue
        else:
            raise FormatError(f"{where}: unexpected line {line[:80]!r}")
    return answers
