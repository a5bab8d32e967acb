"""How a committed golden file compares with the one built on this host.

``python -m parity regen --check`` (and the golden tests) use
:func:`diff_golden`: the two files must hold the same kernel line, header,
``rtol`` directives, cases (ids, comments, results) and inputs bit for bit,
and the same outputs under the comparison rules of parity/FORMAT.md: bit for
bit, except the outputs with a tolerance (``rtol`` directives and
:data:`parity.compare.TOLERANCES`), which may differ within it.  Those are
the values a math library computes (``exp``, ``log``, ``sin``, ``pow``...),
which differ in the last bits between CPUs and SIMD tiers; everything else is
computed with correctly rounded operations and must not move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .compare import compare_array, tolerances
from .golden_format import Case, GoldenFile

__all__ = ["GoldenDiff", "diff_golden"]


@dataclass
class GoldenDiff:
    """The differences between a committed golden file and a fresh build.

    Attributes
    ----------
    differences : list of str
        Differences that make the files disagree (one line each): anything
        in the structure or the inputs, and outputs beyond their tolerance.
    within_rtol : list of str
        Outputs whose bits differ but stay within their tolerance (one line
        per case and output, with the largest relative difference).
    """

    differences: list[str] = field(default_factory=list)
    within_rtol: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        """True when nothing differs beyond a tolerance."""
        return not self.differences


def _relative_gap(want: np.ndarray, got: np.ndarray) -> tuple[int, float]:
    """How many ``f64`` values differ in their bits, and the largest relative difference."""
    moved = want.view(np.uint64) != got.view(np.uint64)
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.abs(got[moved] - want[moved]) / np.maximum(np.abs(want[moved]), 1.0)
    gap = gap[np.isfinite(gap)]
    return int(moved.sum()), float(gap.max()) if gap.size else 0.0


def _diff_case(tols: dict[str, float], old: Case, new: Case, out: GoldenDiff) -> None:
    where = f"case {old.id} ({old.comment})"
    if old.comment != new.comment:
        out.differences.append(f"case {old.id}: comment {old.comment!r} is now {new.comment!r}")
    if old.valid != new.valid:
        out.differences.append(f"{where}: result {'valid' if old.valid else 'invalid'} is now "
                               f"{'valid' if new.valid else 'invalid'}")
        return
    for role, want_all, got_all in (("input", old.inputs, new.inputs),
                                    ("output", old.outputs, new.outputs)):
        if list(want_all) != list(got_all):
            out.differences.append(f"{where}: {role}s {list(want_all)} are now {list(got_all)}")
            continue
        for name, want in want_all.items():
            got = got_all[name]
            rel = tols.get(name) if role == "output" else None
            found = compare_array(old, name, want, got, rel, role)
            if found is not None:
                out.differences.append(found.describe())
            elif rel is not None and want.dtype == np.float64:
                count, gap = _relative_gap(want, np.asarray(got))
                if count:
                    out.within_rtol.append(
                        f"{where}, output {name!r}: {count} value(s) differ within rtol "
                        f"{rel:g} (largest relative difference {gap:.3g})")


def diff_golden(committed: GoldenFile, built: GoldenFile) -> GoldenDiff:
    """Compare a committed golden file with the one built here.

    Parameters
    ----------
    committed : GoldenFile
        The file as read from disk (its values are the expected ones).
    built : GoldenFile
        The file regenerated on this host.

    Returns
    -------
    GoldenDiff
        Every difference beyond a tolerance, and the outputs that differ
        within theirs.
    """
    out = GoldenDiff()
    if committed.kernel != built.kernel:
        out.differences.append(f"kernel {committed.kernel!r} is now {built.kernel!r}")
        return out
    if committed.header != built.header:
        out.differences.append("the header lines differ")
    if committed.rtol != built.rtol:
        out.differences.append(f"rtol directives {committed.rtol} are now {built.rtol}")
    old_ids = [c.id for c in committed.cases]
    new_ids = [c.id for c in built.cases]
    if old_ids != new_ids:
        gone = sorted(set(old_ids) - set(new_ids))
        added = sorted(set(new_ids) - set(old_ids))
        out.differences.append(f"case ids differ: {len(old_ids)} committed, {len(new_ids)} "
                               f"built; only committed {gone[:10]}, only built {added[:10]}")
    tols = tolerances(committed.kernel, committed.rtol)
    new_by_id = {c.id: c for c in built.cases}
    for old in committed.cases:
        new = new_by_id.get(old.id)
        if new is not None:
            _diff_case(tols, old, new, out)
    return out
