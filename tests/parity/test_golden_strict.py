"""One strict golden format: the Python reader on the shared conformance files, limits, the runner.

The Rust reader is held to the same files by ``rust/mirror/src/golden/conformance.rs``
(``cargo test --lib``), so both accept exactly the same language (FORMAT.md,
"Strictness and limits").
"""

from __future__ import annotations

import json
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from parity import format_mutants  # noqa: E402
from parity.conformance import (  # noqa: E402
    CASES_PATH,
    MUTANTS_PATH,
    digest,
    escape,
    read_entries,
    unescape,
    verdict,
)
from parity.golden_format import (  # noqa: E402
    MAX_ELEMENTS,
    STR_DTYPE,
    Case,
    FormatError,
    GoldenFile,
    dumps_golden,
    format_array_line,
    loads_golden,
    parse_array_line,
    parse_harness_output,
    read_golden,
)
from parity.regen import golden_path  # noqa: E402
from parity.runner import run_language  # noqa: E402

CASES = read_entries(CASES_PATH)
MUTANTS = read_entries(MUTANTS_PATH)


def describe(entry) -> str:
    return f"{entry.source_line}: {entry.data[:160]!r}"


def test_the_shared_list_is_read_as_it_says() -> None:
    wrong = []
    for entry in CASES:
        accepted, detail = verdict(entry.data)
        if accepted != entry.accept or (not accepted and detail != entry.detail):
            wrong.append(f"{describe(entry)}: got {'accept' if accepted else 'refuse'} {detail}")
    assert not wrong, "\n".join(wrong)
    assert sum(e.accept for e in CASES) >= 15 and sum(not e.accept for e in CASES) >= 100


def test_the_mutation_corpus_is_generated_and_read_as_recorded() -> None:
    # Regenerating gives the committed file byte for byte (seeded, and the
    # Python reader's verdicts have not changed), and every entry's recorded
    # verdict is what the reader gives (accept with that digest, or refuse
    # naming that line).
    assert MUTANTS_PATH.read_text(encoding="ascii") == format_mutants.corpus_text(), \
        "run `python -m parity.format_mutants` and review the diff"
    assert len(MUTANTS) == format_mutants.BASES + format_mutants.MUTANTS
    for entry in MUTANTS:
        assert verdict(entry.data) == (entry.accept, entry.detail), describe(entry)
    refused = [e for e in MUTANTS if not e.accept]
    assert len(refused) >= 400 and len(MUTANTS) - len(refused) >= 40
    assert len({e.detail for e in refused}) >= 10  # refusals on many different lines
    assert format_mutants.main(["--check"]) == 0


def test_escaping_round_trips_every_byte() -> None:
    data = bytes(range(256)) + b"\\n\\x41"
    assert unescape(escape(data)) == data
    assert all(0x20 <= ord(c) <= 0x7E for c in escape(data))
    with pytest.raises(ValueError):
        unescape("\\q")


def test_every_refusal_is_a_format_error_naming_its_line(tmp_path: Path) -> None:
    # From bytes, from text and from a file: only FormatError, with the line.
    path = tmp_path / "golden.txt"
    for entry in CASES + MUTANTS:
        if entry.accept:
            continue
        path.write_bytes(entry.data)
        with pytest.raises(FormatError) as from_file:
            read_golden(path)
        assert from_file.value.line == int(entry.detail), describe(entry)
        assert str(path) in str(from_file.value)
        text = entry.data.decode("latin-1")
        with pytest.raises(FormatError) as from_text:
            loads_golden(text)
        assert from_text.value.line == int(entry.detail), describe(entry)


def test_harness_output_parser_raises_nothing_but_format_error() -> None:
    # Every mutant's array lines as a harness answer ("in" lines become "out"
    # lines), decoded as the runner decodes output that is not UTF-8.
    outcomes = {"parsed": 0, "refused": 0}
    for entry in MUTANTS:
        lines = [b"out" + line[2:] if line.startswith(b"in ") else line
                 for line in entry.data.split(b"\n") if line.startswith((b"in ", b"out "))]
        text = b"\n".join([b"case 1 ok", *lines]).decode("utf-8", errors="replace")
        try:
            parse_harness_output(text)
            outcomes["parsed"] += 1
        except FormatError as exc:
            assert isinstance(exc.line, int) and exc.line >= 1
            outcomes["refused"] += 1
    assert outcomes["parsed"] > 20 and outcomes["refused"] > 100, outcomes


@pytest.mark.parametrize("line", [
    "in w u64 1 99999999999999999999999999 : 5",      # was OverflowError
    "in w u64 2 4294967296 4294967296 :",             # product wraps in int64
    "in w u64 3 65536 65536 65536 :",                 # was "maximum allowed dimension"
    "in w u64 2 0 18446744073709551616 :",
    "in w u64 1 1 : +5",
    "in w u64 1 1 : -0",
    "in w f64 1 1 : 3FF0000000000000",
])
def test_the_issues_examples_are_format_errors(line: str) -> None:
    with pytest.raises(FormatError):
        parse_array_line(line)


def test_sizes_are_checked_before_anything_is_allocated() -> None:
    # A line that declares the largest shape allowed, or a larger one, but
    # holds no values: refused without building an array of that size.
    tracemalloc.start()
    try:
        for line in (f"in a u64 1 {MAX_ELEMENTS} :", f"in a f64 1 {MAX_ELEMENTS + 1} :",
                     "in a u8 2 4097 4097 :", "in a str 3 4096 4096 4096 :"):
            with pytest.raises(FormatError, match="needs|limit"):
                parse_array_line(line)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, peak
    assert parse_array_line(f"in a u8 2 0 {MAX_ELEMENTS} :")[2].shape == (0, MAX_ELEMENTS)


def test_duplicates_missing_outputs_and_big_ids_are_refused() -> None:
    for text, line in [
        ("kernel k\ncase 1\ncomment a\ncomment b\nresult invalid\nend\n", 4),
        ("kernel k\ncase 1\nresult invalid\nresult invalid\nend\n", 4),
        ("kernel k\ncase 1\nresult valid\nin a u8 0 : 1\nend\n", 5),
        ("kernel k\ncase 18446744073709551616\nresult invalid\nend\n", 2),
        ("kernel k\ncase 1\nresult invalid\nend\n\ncase 2\nresult invalid\n", 6),
    ]:
        with pytest.raises(FormatError) as exc:
            loads_golden(text, source="t.txt")
        assert exc.value.line == line and str(exc.value).startswith(f"t.txt:{line}:"), text


def test_the_writer_writes_only_what_the_reader_reads() -> None:
    for base in format_mutants.base_files():
        golden = loads_golden(base)
        assert dumps_golden(golden).encode("ascii") == base
        assert digest(loads_golden(dumps_golden(golden))) == digest(golden)
    case = Case(1, "", True, {}, {"o": np.array(1.0)})
    for bad in [GoldenFile("k", [Case(2**64, "", False)]), GoldenFile("a b", [case]),
                GoldenFile("k", [Case(1, "two\nlines", True, {}, {"o": np.array(1.0)})]),
                GoldenFile("k", [Case(1, "caf\u00e9", True, {}, {"o": np.array(1.0)})])]:
        with pytest.raises(FormatError):
            dumps_golden(bad)
    for name in ("a-b", "a b", "", "a:b"):
        with pytest.raises(FormatError):
            format_array_line("in", name, np.array(1.0))
    with pytest.raises(FormatError, match="limits"):
        format_array_line("in", "a", np.zeros((1,) * 33))
    assert format_array_line("in", "s", np.array(["", "a b"], dtype=STR_DTYPE)) == \
        "in s str 1 2 : s: s:a%20b"


# ---------------------------------------------------------------- the runner

MALFORMED_ANSWERS = [
    b"case 1 ok\nout out u64 1 99999999999999999999999999 : 5\n",
    b"case 1 ok\nout out u64 2 4294967296 4294967296 :\n",
    b"case 1 ok\nout out u64 1 1 : \xff\xfe\n",
    b"case 1 ok\nout out f64 1 1 : 3FF0000000000000\n",
    b"case 1 ok\nout out u64 1 1 : +5\n",
    b"case 18446744073709551616 ok\n",
    b"case 1 ok extra\n",
    b"\xc3\x28 not utf-8 at all\n",
]


@pytest.mark.parametrize("answer", MALFORMED_ANSWERS)
def test_the_runner_reports_a_mirrors_malformed_output_as_its_failure(tmp_path: Path,
                                                                     answer: bytes) -> None:
    folder = tmp_path / "go"
    folder.mkdir()
    (folder / "harness.py").write_text(
        f"import sys\nsys.stdout.buffer.write({answer!r})\n")
    (folder / "parity.json").write_text(json.dumps({
        "toolchain": ["python"], "install_hint": "-", "run": ["python", "harness.py"]}))
    golden = read_golden(golden_path("not"))
    report = run_language("go", {"not": golden}, mirror_root=tmp_path)
    assert report.status == "fail"
    (result,) = report.results
    assert result.status == "error" and "unreadable harness output" in result.note, result
