"""Golden invalid cases say why (parity/FORMAT.md, "Invalid-case flags"; issue 15, item 7).

Every invalid case of every committed golden file names at least one known
defect flag, in the canonical order, and no valid case names one; the
vocabulary of ``parity/flags.py`` is the one FORMAT.md documents and every
flag of it is used; both case builders refuse an invalid case without flags
or with an unknown one; the writer and the reader keep the flags.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from parity import safety_cases  # the checkout's root is on sys.path (tests/conftest.py)
from parity.cases import Builder, RegenError
from parity.flags import DEFECTS, FLAGS, SUBJECTS, check_flags
from parity.golden_format import (
    Case,
    FormatError,
    GoldenFile,
    dumps_golden,
    format_flags,
    loads_golden,
    parse_flags,
    read_golden,
)
from parity.regen import GOLDEN_DIR
from parity.safety_cases._builder import SafetyBuilder, add_case

GOLDEN_FILES = sorted(GOLDEN_DIR.glob("*.txt"))
FORMAT_MD = GOLDEN_DIR.parent / "FORMAT.md"
ORDER = list(FLAGS)


def test_there_is_a_golden_file_of_every_kernel_and_surface() -> None:
    names = {p.stem for p in GOLDEN_FILES}
    assert {"pack", "sc_forward", "lif_step", *safety_cases.names()} <= names


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.name)
def test_every_invalid_case_has_a_known_defect_flag(path: Path) -> None:
    golden = read_golden(path)
    invalid = [c for c in golden.cases if not c.valid]
    assert invalid, f"{path.name} has no invalid case"
    for case in golden.cases:
        where = f"{path.name} case {case.id} ({case.comment})"
        if case.valid:
            assert case.flags == (), where
            continue
        assert case.flags, f"{where}: no flag"
        unknown = [f for f in case.flags if f not in FLAGS]
        assert not unknown, f"{where}: unknown flags {unknown}"
        assert any(f in DEFECTS for f in case.flags), f"{where}: no defect flag"
        assert list(case.flags) == sorted(case.flags, key=ORDER.index), where


def test_every_flag_of_the_vocabulary_is_used() -> None:
    used = {f for path in GOLDEN_FILES for c in read_golden(path).cases for f in c.flags}
    assert used == set(FLAGS), f"unused: {set(FLAGS) - used}"


def test_format_md_documents_exactly_the_vocabulary() -> None:
    text = FORMAT_MD.read_text(encoding="utf-8")
    section = text.split("## Invalid-case flags", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Za-z0-9]+)` \| (defect|subject) \|", section, re.M)
    assert rows == [(name, "defect") for name in DEFECTS] + \
        [(name, "subject") for name in SUBJECTS]


def test_check_flags_knows_the_vocabulary() -> None:
    assert check_flags("Boundary OutOfRange", "c") == ("OutOfRange", "Boundary")
    assert check_flags(" NonFinite ", "c") == ("NonFinite",)
    for bad, match in [("", "at least one flag"), ("   ", "at least one flag"),
                       ("NaN", "unknown flag"), ("nonFinite", "unknown flag"),
                       ("NonFinite NonFinite", "twice"), ("BadSeed", "no defect flag"),
                       ("Boundary BadLength", "no defect flag")]:
        with pytest.raises(ValueError, match=match):
            check_flags(bad, "c")
    with pytest.raises(ValueError, match="must be a str"):
        check_flags(("NonFinite",), "c")  # type: ignore[arg-type]


def test_the_kernel_builder_refuses_an_invalid_case_without_a_known_flag() -> None:
    b = Builder("not")
    for flags in ("", "Nonfinite", "BadSeed"):
        with pytest.raises(RegenError):
            b.invalid("wrong dtype", flags, a=np.array([1.0]))
    assert b.cases == []
    b.invalid("wrong dtype", "WrongType", a=np.array([1.0]))
    assert b.cases[0].flags == ("WrongType",)


def test_the_safety_builder_refuses_an_invalid_case_without_a_known_flag() -> None:
    def run_case(inputs: dict[str, np.ndarray]) -> dict[str, object]:
        x = float(inputs["x"].item())
        if not np.isfinite(x):
            raise ValueError("x must be finite")
        return {"y": x}

    b = SafetyBuilder("demo", "demo.surface", run_case)
    for flags in ("", "Infinite", "Boundary"):
        with pytest.raises(RegenError):
            b.invalid("x NaN", flags, "f", x=np.nan)
    assert b.cases == []
    add_case(b, "x 1", None, "f", x=1.0)
    add_case(b, "x NaN", "NonFinite", "f", x=np.nan)
    golden = b.golden()
    assert [(c.valid, c.flags) for c in golden.cases] == [(True, ()), (False, ("NonFinite",))]
    assert "\nresult invalid\nflags NonFinite\nin op str 0 : s:f\n" in dumps_golden(golden)


def test_the_writer_and_the_reader_keep_the_flags() -> None:
    cases = [Case(1, "ok", True, {}, {"o": np.array(1.0)}),
             Case(2, "bad", False, {"x": np.array([np.nan])}, flags=("NonFinite", "Boundary")),
             Case(3, "", False, flags=("FutureFlag9",))]
    text = dumps_golden(GoldenFile("k", cases))
    assert "case 2\ncomment bad\nresult invalid\nflags NonFinite Boundary\nin x " in text
    back = loads_golden(text)
    assert [c.flags for c in back.cases] == [(), ("NonFinite", "Boundary"), ("FutureFlag9",)]
    assert dumps_golden(back) == text
    for bad in [Case(1, "", False), Case(1, "", False, flags=("a",)),
                Case(1, "", False, flags=("A", "A")),
                Case(1, "", True, {}, {"o": np.array(1.0)}, flags=("A",))]:
        with pytest.raises(FormatError):
            dumps_golden(GoldenFile("k", [bad]))


def test_flags_lines_are_spelt_one_way() -> None:
    assert format_flags(["WrongType", "BadSeed"]) == "flags WrongType BadSeed"
    assert parse_flags("WrongType BadSeed") == ("WrongType", "BadSeed")
    for rest in ("", " A", "A ", "A  B", "a", "A_B", "A-B", "9A", "A A", "A\tB"):
        with pytest.raises(FormatError):
            parse_flags(rest)
