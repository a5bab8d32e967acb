"""The golden format's `str` dtype and `rtol` directives (parity/FORMAT.md), reader and writer.

The Rust reader (rust/mirror/src/golden.rs) has the same tests on the same texts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from parity.compare import Answer, compare_case  # noqa: E402
from parity.golden_format import (  # noqa: E402
    STR_DTYPE,
    Case,
    FormatError,
    GoldenFile,
    decode_str,
    dumps_golden,
    encode_str,
    format_array_line,
    loads_golden,
    parse_array_line,
    parse_harness_output,
)

STRINGS = ["", "ACGT", "acgt", "a b", "  ", "s:", ":", "%", "%41", "x\x00y", "tab\there",
           "line\nbreak", "é€😀", "~-._", "!\"#$&'()*+,/;<=>?@[\\]^`{|}"]


@pytest.mark.parametrize("value", STRINGS)
def test_str_round_trips_and_stays_one_ascii_token(value: str) -> None:
    token = encode_str(value)
    assert token.startswith("s:") and token.isascii()
    assert len(token.split()) == 1 and token == token.strip()
    assert decode_str(token) == value


def test_str_spelling_is_fixed() -> None:
    assert encode_str("") == "s:"
    assert encode_str("ACGT-1.x_~") == "s:ACGT-1.x_~"
    assert encode_str("a b:c") == "s:a%20b%3Ac"
    assert encode_str("é") == "s:%C3%A9"
    assert encode_str("%") == "s:%25"


@pytest.mark.parametrize(("token", "fragment"), [
    ("ACGT", "'s:'"),                 # no prefix
    ("S:ACGT", "'s:'"),
    ("s:a b", "'s:'"),               # raw space (never one token anyway)
    ("s:a:b", "'s:'"),               # raw reserved character
    ("s:%2", "'s:'"),                # short escape
    ("s:%zz", "'s:'"),               # not hex
    ("s:%c3%a9", "'s:'"),            # lowercase hex
    ("s:%41", "escapes the unreserved"),
    ("s:%FF", "not valid UTF-8"),
    ("s:%C3", "not valid UTF-8"),
    ("s:%ED%A0%80", "not valid UTF-8"),   # an encoded surrogate
])
def test_str_tokens_are_strict(token: str, fragment: str) -> None:
    with pytest.raises(FormatError, match=fragment):
        decode_str(token)


def test_str_writer_refuses_what_it_cannot_write() -> None:
    with pytest.raises(FormatError, match="not valid Unicode"):
        encode_str("\ud800")
    with pytest.raises(FormatError, match="must be a str"):
        encode_str(3)  # type: ignore[arg-type]
    with pytest.raises(FormatError, match="object arrays"):
        format_array_line("in", "x", np.array(["a"], dtype=object))


def test_str_array_lines() -> None:
    arr = np.array([["", "a b"], ["C", "é"]], dtype=STR_DTYPE)
    line = format_array_line("in", "seqs", arr)
    assert line == "in seqs str 2 2 2 : s: s:a%20b s:C s:%C3%A9"
    kind, name, back = parse_array_line(line)
    assert (kind, name, back.dtype, back.shape) == ("in", "seqs", STR_DTYPE, (2, 2))
    assert back.tolist() == arr.tolist()
    # Fixed-width unicode arrays are written the same way.
    assert format_array_line("in", "seqs", arr.astype("U3")) == line
    assert format_array_line("out", "s", np.array("x", dtype=STR_DTYPE)) == "out s str 0 : s:x"
    assert parse_array_line("in e str 1 0 :")[2].shape == (0,)
    with pytest.raises(FormatError, match="needs 2 values"):
        parse_array_line("in s str 1 2 : s:a")


TEXT = """# header
kernel demo
rtol gain 1e-12
rtol phase 0.5
case 1
comment strings and tolerances
result valid
in op str 0 : s:fi_curve
in names str 1 3 : s:V s: s:a%20b
out gain f64 1 2 : 3ff0000000000000 0000000000000000
out phase f64 0 : 3ff0000000000000
out label str 0 : s:ok
end
case 2
comment
result invalid
in op str 0 : s:fi_curve
in names str 1 1 : s:%21
end
"""


def test_rtol_directives_round_trip() -> None:
    golden = loads_golden(TEXT)
    assert golden.rtol == {"gain": 1e-12, "phase": 0.5}
    assert golden.cases[0].inputs["names"].tolist() == ["V", "", "a b"]
    assert golden.cases[1].inputs["names"].tolist() == ["!"]
    assert dumps_golden(golden) == TEXT


@pytest.mark.parametrize(("old", "new", "fragment"), [
    ("rtol gain 1e-12", "rtol gain", "expected 'rtol <output> <value>'"),
    ("rtol gain 1e-12", "rtol gain 1e-12 x", "expected 'rtol <output> <value>'"),
    ("rtol gain 1e-12", "rtol  gain 1e-12", "expected 'rtol <output> <value>'"),
    ("rtol gain 1e-12", "rtol gain 1E-12", "decimal float"),
    ("rtol gain 1e-12", "rtol gain -1e-12", "decimal float"),
    ("rtol gain 1e-12", "rtol gain nan", "decimal float"),
    ("rtol gain 1e-12", "rtol gain inf", "decimal float"),
    ("rtol gain 1e-12", "rtol gain 0.0", "finite, > 0"),
    ("rtol gain 1e-12", "rtol gain 1e-400", "finite, > 0"),
    ("rtol gain 1e-12", "rtol gain 1.0e-12", "written as '1e-12'"),
    ("rtol gain 1e-12", "rtol g-ain 1e-12", "ASCII letters"),
    ("rtol phase 0.5", "rtol gain 0.5", "given twice"),
    ("rtol phase 0.5", "rtol nothing 0.5", "must be an f64 output"),
    ("rtol phase 0.5", "rtol label 0.5", "must be an f64 output"),
    ("end\ncase 2", "end\nrtol x 0.5\ncase 2", "before the first case"),
    ("in op str 0 : s:fi_curve\nin names str 1 3", "in op str 0 : fi_curve\nin names str 1 3",
     "'s:'"),
    ("in op str 0 : s:fi_curve\nin names str 1 3", "in op str 0 : s:%66i_curve\nin names str 1 3",
     "unreserved"),
    ("in op str 0 : s:fi_curve\nin names str 1 3", "in op string 0 : s:fi_curve\nin names str 1 3",
     "dtype must be one of"),
])
def test_malformed_extensions_are_refused(old: str, new: str, fragment: str) -> None:
    assert old in TEXT
    with pytest.raises(FormatError, match=fragment):
        loads_golden(TEXT.replace(old, new, 1))


def test_writer_checks_rtol() -> None:
    case = Case(1, "", True, {"op": np.array("x", dtype=STR_DTYPE)},
                {"y": np.array(1.0), "k": np.array(1, dtype=np.uint64)})
    for rtol, fragment in [({"k": 1e-9}, "must be an f64 output"),
                           ({"z": 1e-9}, "no case lists it"),
                           ({"y": 0.0}, "finite float > 0"),
                           ({"y": float("nan")}, "finite float > 0"),
                           ({"bad name": 1e-9}, "ASCII letters")]:
        with pytest.raises(FormatError, match=fragment):
            dumps_golden(GoldenFile("demo", [case], rtol=rtol))
    text = dumps_golden(GoldenFile("demo", [case], rtol={"y": 1e-9}))
    assert "kernel demo\nrtol y 1e-09\ncase 1\n" in text
    assert loads_golden(text).rtol == {"y": 1e-9}


def test_comparison_honours_rtol_and_compares_strings_exactly() -> None:
    golden = loads_golden(TEXT)
    case = golden.cases[0]
    right = {"gain": np.array([1.0 + 5e-13, 1e-12]), "phase": np.array(1.4),
             "label": np.array("ok")}
    assert compare_case("demo", case, Answer("ok", right), golden.rtol) is None
    assert compare_case("demo", case, Answer("ok", right)) is not None       # exact without rtol
    far = dict(right, gain=np.array([1.0 + 3e-12, 0.0]))
    found = compare_case("demo", case, Answer("ok", far), golden.rtol)
    assert found is not None and found.index == (0,) and "tolerance 1e-12" in found.message
    found = compare_case("demo", case, Answer("ok", dict(right, label=np.array("OK"))),
                         golden.rtol)
    assert found is not None and found.output == "label" and found.expected == "'ok'"
    found = compare_case("demo", case, Answer("ok", dict(right, label=np.array(b"ok"))),
                         golden.rtol)
    assert found is not None and found.message == "wrong dtype"
    # NaN matches NaN (any payload) only under a tolerance.
    nan_case = Case(1, "", True, {}, {"gain": np.array([np.nan])})
    got = Answer("ok", {"gain": np.array([-np.nan])})
    assert compare_case("demo", nan_case, got, {"gain": 1e-12}) is None


def test_harness_answers_may_hold_strings() -> None:
    answers = parse_harness_output("case 1 ok\nout label str 1 2 : s:a%20b s:\n")
    assert answers[1].outputs["label"].tolist() == ["a b", ""]
