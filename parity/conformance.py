"""Reader-conformance entries: golden-file texts with the verdict every reader must give.

Two committed files hold them (FORMAT.md, "Strictness and limits"):
``parity/format_cases.txt``, a hand-written list of accepted and refused texts,
and ``parity/format_mutants.txt``, seeded mutants of generated files
(:mod:`parity.format_mutants`).  ``tests/parity/test_golden_strict.py`` checks the
Python reader on both, ``rust/mirror/src/golden/conformance.rs`` the Rust
reader, so the two accept exactly the same language.

Entry file syntax, one entry a line (``#`` lines and blank lines ignored)::

    accept <digest> <text>     the reader accepts <text>; <digest> is "-" or
                               the content digest (:func:`digest`) it must give
    refuse <line> <text>       the reader refuses <text>, naming line <line>
                               (0: the whole file)
    template <text>            later entries' texts replace "{LINE}" in <text>

``<text>`` is the file's bytes with ``\\n`` for a newline, ``\\\\`` for a
backslash and ``\\xHH`` for every other byte outside printable ASCII.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .golden_format import FormatError, GoldenFile, format_array_line, loads_golden

__all__ = ["Entry", "escape", "unescape", "digest", "verdict", "read_entries", "format_entry",
           "CASES_PATH", "MUTANTS_PATH"]

CASES_PATH = Path(__file__).resolve().parent / "format_cases.txt"
MUTANTS_PATH = Path(__file__).resolve().parent / "format_mutants.txt"
_ESCAPE = re.compile(rb"[^\x20-\x5b\x5d-\x7e]")  # printable ASCII but the backslash
_MARK = "{LINE}"


@dataclass(frozen=True)
class Entry:
    """One conformance entry.

    Attributes
    ----------
    data : bytes
        The golden-file bytes.
    accept : bool
        Whether every reader must accept them.
    detail : str
        For an accepted text, its content digest or ``"-"`` (not checked);
        for a refused one, the line number the error must name.
    source_line : int
        Where the entry is in its file (for messages).
    """

    data: bytes
    accept: bool
    detail: str
    source_line: int


def escape(data: bytes) -> str:
    """``data`` as one printable-ASCII line (``\\n``, ``\\\\``, ``\\xHH`` escapes)."""
    def one(match: re.Match[bytes]) -> bytes:
        byte = match.group()[0]
        return {0x0A: b"\\n", 0x5C: b"\\\\"}.get(byte, b"\\x%02x" % byte)
    return _ESCAPE.sub(one, data).decode("ascii")


def unescape(text: str) -> bytes:
    """The bytes :func:`escape` wrote as ``text``.

    Raises
    ------
    ValueError
        On a backslash not followed by ``n``, ``\\`` or ``x`` and two hex digits.
    """
    out = bytearray()
    k = 0
    while k < len(text):
        char = text[k]
        if char != "\\":
            out.append(ord(char))
            k += 1
        elif text[k + 1:k + 2] == "n":
            out.append(0x0A)
            k += 2
        elif text[k + 1:k + 2] == "\\":
            out.append(0x5C)
            k += 2
        elif text[k + 1:k + 2] == "x" and re.fullmatch(r"[0-9a-f]{2}", text[k + 2:k + 4]):
            out.append(int(text[k + 2:k + 4], 16))
            k += 4
        else:
            raise ValueError(f"bad escape at {k} in {text[:60]!r}")
    return bytes(out)


def digest(golden: GoldenFile) -> str:
    """A 16-hex-digit digest of everything a reader takes from a file.

    FNV-1a (64-bit) over a canonical listing, one ``\\n``-ended line each:
    ``kernel <name>``; ``rtol <output> <bits>`` (the value's bit pattern as
    16 hex digits), in file order; then per case ``case <id>``,
    ``comment <text>``, ``result valid|invalid``, its array lines as the
    writer writes them (inputs, then outputs) and ``end``.  The Rust
    conformance test computes the same listing.
    """
    import numpy as np

    lines = [f"kernel {golden.kernel}"]
    lines += [f"rtol {name} {int(np.float64(value).view(np.uint64)):016x}"
              for name, value in golden.rtol.items()]
    for case in golden.cases:
        lines += [f"case {case.id}", f"comment {case.comment}",
                  f"result {'valid' if case.valid else 'invalid'}"]
        lines += [format_array_line("in", n, a) for n, a in case.inputs.items()]
        lines += [format_array_line("out", n, a) for n, a in case.outputs.items()]
        lines.append("end")
    value = 0xCBF29CE484222325
    for byte in "".join(line + "\n" for line in lines).encode("ascii"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def verdict(data: bytes) -> tuple[bool, str]:
    """What the Python reader makes of ``data``: ``(True, digest)`` or ``(False, line)``."""
    try:
        golden = loads_golden(data)
    except FormatError as exc:
        return False, str(exc.line)
    return True, digest(golden)


def format_entry(data: bytes) -> str:
    """The entry line recording the Python reader's verdict on ``data``."""
    accepted, detail = verdict(data)
    return f"{'accept' if accepted else 'refuse'} {detail} {escape(data)}"


def read_entries(path: Path) -> list[Entry]:
    """The entries of a conformance file (see the module documentation)."""
    entries = []
    template = _MARK
    for number, line in enumerate(path.read_text(encoding="ascii").split("\n"), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word == "template":
            if rest.count(_MARK) != 1:
                raise ValueError(f"{path}:{number}: a template holds {_MARK} once")
            template = rest
            continue
        detail, _, text = rest.partition(" ")
        if word not in ("accept", "refuse") or not detail:
            raise ValueError(f"{path}:{number}: expected 'accept <digest> <text>' or "
                             "'refuse <line> <text>'")
        data = unescape(template.replace(_MARK, text))
        entries.append(Entry(data, word == "accept", detail, number))
    return entries
