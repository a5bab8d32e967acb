"""The seeded mutation corpus ``parity/format_mutants.txt`` (FORMAT.md, "Strictness and limits").

``python -m parity.format_mutants`` writes it; ``--check`` exits 1 when the
committed file is not what the generator and the Python reader produce now.

The generator (``random.Random(SEED)``, nothing hand-picked) builds
:data:`BASES` small valid golden files with every feature of the format
(each dtype with edge values, 0-D and empty arrays, ``str`` arrays with any
character, ``rtol`` lines, valid cases and invalid ones with their ``flags``
lines), then :data:`MUTANTS`
mutants, each a base changed by one to three random edits: a byte replaced,
inserted or deleted (from a palette of separators, digits, signs, tabs,
carriage returns, NUL, DEL and non-ASCII bytes), a line duplicated, dropped,
swapped or added, a token replaced by a boundary spelling (``+5``, ``-0``,
2^64, 2^63, ``1e3``, uppercase hex, huge dimensions...), a token doubled or
dropped, or the text cut short.  Each entry records the Python reader's
verdict (:func:`parity.conformance.format_entry`); the Rust reader must give
the same on every one.
"""

from __future__ import annotations

import argparse
import random
import sys

import numpy as np

from .conformance import MUTANTS_PATH, format_entry
from .golden_format import STR_DTYPE, Case, GoldenFile, dumps_golden

__all__ = ["SEED", "BASES", "MUTANTS", "base_files", "mutate", "corpus_text", "main"]

SEED = 18
BASES = 24
MUTANTS = 600

_U64_EDGES = [0, 1, 2, 255, 256, 2**32, 2**53 + 1, 2**63, 2**64 - 1]
_I64_EDGES = [0, 1, -1, 255, -(2**63), 2**63 - 1, -(2**31)]
_F64_EDGES = [0x0, 0x8000000000000000, 0x3FF0000000000000, 0x7FF0000000000000,
              0xFFF0000000000000, 0x7FF8000000000000, 0x7FF0000000000001, 0x1,
              0x000FFFFFFFFFFFFF, 0x7FEFFFFFFFFFFFFF]
_STR_ALPHABET = ["a", "Z", "0", " ", "%", ":", "s", "\x00", "\n", "\t", "~", "-", ".", "_",
                 "\u00e9", "\u20ac", "\U0001f600", "\\", "#", "+"]
_BYTE_PALETTE = [b" ", b"  ", b"\t", b"\r", b"\x00", b"\x7f", b"\xc3", b"\xff", b"\n", b":",
                 b"-", b"+", b"0", b"9", b"#", b"e", b"F", b"x", b"_", b"%", b"s"]
_TOKENS = ["0", "-0", "+5", "007", "1", "-1", "2", "255", "256", "32", "33",
           "16777216", "16777217", "4294967296", "9223372036854775807",
           "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
           "18446744073709551615", "18446744073709551616", "99999999999999999999999999",
           "0x10", "1_0", "1e3", "3FF0000000000000", "3ff0000000000000", "7ff8000000000000",
           "3ff000000000000", "s:", "s:%41", "s:%zz", "s:%C3%A9", "s:%FF", ":", "", "in", "out",
           "u64", "i64", "u8", "f64", "str", "f32", "valid", "invalid", "end", "case",
           "comment", "result", "rtol", "kernel", "1e-12", "1.0e-12", "0.5", "1e-05", "nan",
           "flags", "NonFinite", "nonFinite", "Non-Finite", "Non_Finite", "X9", "9X", "Z"]
_LINES = ["end", "case 1", "case 7", "result valid", "result invalid", "comment x",
          "rtol o0 1e-12", "kernel k", "out extra u64 0 : 1", "in extra f64 0 : 0000000000000000",
          "# note", "", "   ", "flags NonFinite", "flags WrongShape Boundary"]
# Flag names for the invalid cases of the bases (the readers check their spelling only).
_FLAG_NAMES = ["WrongType", "WrongRank", "NonFinite", "OutOfRange", "BadSeed", "X9", "Z"]


def _array(rng: random.Random, tag: str) -> np.ndarray:
    ndim = rng.choice([0, 1, 1, 2, 3])
    shape = tuple(rng.choice([0, 1, 2, 3]) for _ in range(ndim))
    size = int(np.prod(shape)) if shape else 1
    if tag == "u64":
        values = [rng.choice(_U64_EDGES + [rng.getrandbits(64)]) for _ in range(size)]
        return np.array(values, dtype=np.uint64).reshape(shape)
    if tag == "i64":
        values = [rng.choice(_I64_EDGES + [rng.getrandbits(63) - 2**62]) for _ in range(size)]
        return np.array(values, dtype=np.int64).reshape(shape)
    if tag == "u8":
        return np.array([rng.randrange(256) for _ in range(size)], dtype=np.uint8).reshape(shape)
    if tag == "f64":
        bits = [rng.choice(_F64_EDGES + [rng.getrandbits(64)]) for _ in range(size)]
        return np.array(bits, dtype=np.uint64).view(np.float64).reshape(shape)
    words = ["".join(rng.choice(_STR_ALPHABET) for _ in range(rng.randrange(4)))
             for _ in range(size)]
    return np.array(words, dtype=STR_DTYPE).reshape(shape)


def _base(rng: random.Random, number: int) -> GoldenFile:
    """A small valid golden file; output ``o<k>`` always has dtype ``TAGS[k % 5]``."""
    tags = ["f64", "u64", "i64", "u8", "str"]
    cases = []
    for case_id in rng.sample(range(1, 40), rng.randrange(1, 4)):
        valid = rng.random() < 0.7
        inputs = {f"a{k}": _array(rng, rng.choice(tags)) for k in range(rng.randrange(4))}
        outputs = {}
        if valid:
            for k in rng.sample(range(10), rng.randrange(1, 3)):
                outputs[f"o{k}"] = _array(rng, tags[k % 5])
        comment = rng.choice(["", "edge values", "a  b", "x: y #1"])
        flags = () if valid else tuple(rng.sample(_FLAG_NAMES, rng.randrange(1, 4)))
        cases.append(Case(case_id, comment, valid, inputs, outputs, flags))
    f64_outputs = sorted({n for c in cases for n in c.outputs if n in ("o0", "o5")})
    rtol = {n: rng.choice([1e-12, 0.5, 1e-05, 123.0, 1e16]) for n in f64_outputs
            if rng.random() < 0.6}
    return GoldenFile(f"k{number}", cases, header=["format mutants base"], rtol=rtol)


def base_files() -> list[bytes]:
    """The :data:`BASES` generated valid files (seeded)."""
    rng = random.Random(SEED)
    return [dumps_golden(_base(rng, n)).encode("ascii") for n in range(BASES)]


def _edit_token(rng: random.Random, lines: list[bytes]) -> None:
    k = rng.randrange(len(lines))
    tokens = lines[k].split(b" ")
    j = rng.randrange(len(tokens))
    how = rng.random()
    if how < 0.7:
        tokens[j] = rng.choice(_TOKENS).encode("ascii")
    elif how < 0.85:
        tokens.insert(j, tokens[j])
    elif len(tokens) > 1:
        del tokens[j]
    lines[k] = b" ".join(tokens)


def _edit_lines(rng: random.Random, lines: list[bytes]) -> None:
    k = rng.randrange(len(lines))
    how = rng.randrange(4)
    if how == 0:
        lines.insert(k, lines[k])
    elif how == 1 and len(lines) > 1:
        del lines[k]
    elif how == 2 and k + 1 < len(lines):
        lines[k], lines[k + 1] = lines[k + 1], lines[k]
    else:
        lines.insert(k, rng.choice(_LINES).encode("ascii"))


def mutate(rng: random.Random, data: bytes) -> bytes:
    """``data`` after one to three random edits (see the module documentation)."""
    for _ in range(rng.randrange(1, 4)):
        kind = rng.random()
        if kind < 0.45:
            lines = data.split(b"\n")
            (_edit_token if kind < 0.3 else _edit_lines)(rng, lines)
            data = b"\n".join(lines)
        elif kind < 0.95 and data:
            at = rng.randrange(len(data))
            byte = rng.choice(_BYTE_PALETTE)
            if kind < 0.65:
                data = data[:at] + byte + data[at + 1:]
            elif kind < 0.8:
                data = data[:at] + byte + data[at:]
            else:
                data = data[:at] + data[at + 1:]
        else:
            data = data[:rng.randrange(len(data) + 1)]
    return data


def corpus_text() -> str:
    """The text of ``parity/format_mutants.txt``: the bases, then the mutants."""
    bases = base_files()
    rng = random.Random(SEED + 1)
    mutants = [mutate(rng, rng.choice(bases)) for _ in range(MUTANTS)]
    head = ["# Reader-conformance corpus (parity/conformance.py syntax): generated by",
            f"# `python -m parity.format_mutants` (seed {SEED}; {BASES} generated valid files,",
            f"# then {MUTANTS} seeded mutants of them); never edited by hand. Each entry is the",
            "# verdict of parity/golden_format.py, which rust/mirror/src/golden/ must match."]
    return "\n".join(head + [format_entry(d) for d in bases + mutants]) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the corpus, or with ``--check`` compare it with the committed file."""
    parser = argparse.ArgumentParser(prog="python -m parity.format_mutants",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the committed corpus differs from a fresh one")
    args = parser.parse_args(argv)
    text = corpus_text()
    if args.check:
        same = MUTANTS_PATH.is_file() and MUTANTS_PATH.read_text(encoding="ascii") == text
        print(f"{MUTANTS_PATH.name} {'unchanged' if same else 'differs'}")
        return 0 if same else 1
    MUTANTS_PATH.write_text(text, encoding="ascii")
    print(f"wrote {MUTANTS_PATH} ({BASES + MUTANTS} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
