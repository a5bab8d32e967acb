"""Reader and writer of the golden-vector exchange format (parity/FORMAT.md, v1).

A golden file holds one kernel's (or one safety mirror's) cases.  Each case
has an id, a comment, an expected result (valid with outputs, or invalid with
the flags that say why, see :mod:`parity.flags`) and its named input arrays.
Arrays are NumPy arrays whose dtype is one of the format dtypes (``u64``,
``i64``, ``u8``, ``f64``, ``str``); a scalar is a 0-D array.  ``str`` arrays are read as NumPy ``StringDType`` arrays (which keep
every character, NUL included); the writer also takes fixed-width unicode
(``<U``) arrays.  A file may declare per-output comparison tolerances
(``rtol <output> <value>`` lines, :attr:`GoldenFile.rtol`).

The same array-line syntax is used by mirror harnesses for their answers
(see :func:`parse_harness_output`).

The reader is strict and accepts exactly the language that
``rust/mirror/src/golden.rs`` accepts (FORMAT.md, "Strictness and limits"):
every value has one spelling, every malformed input is a :class:`FormatError`
naming its line (:attr:`FormatError.line`), and array sizes are checked
against :data:`MAX_ELEMENTS` before any array is built.  The shared list
``parity/format_cases.txt`` and the generated corpus
``parity/format_mutants.txt`` pin that agreement down on both sides.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np

__all__ = ["FORMAT_VERSION", "DTYPES", "STR_DTYPE", "Case", "GoldenFile", "FormatError",
           "HarnessAnswer", "format_array_line", "parse_array_line", "write_golden",
           "dumps_golden", "read_golden", "loads_golden", "parse_harness_output", "dtype_tag",
           "encode_str", "decode_str", "format_rtol", "parse_rtol", "format_flags",
           "parse_flags", "MAX_ELEMENTS", "MAX_NDIM"]

FORMAT_VERSION = 1

#: Most elements one array line may declare (each dimension, and their
#: product); checked before any array is allocated (FORMAT.md).
MAX_ELEMENTS = 1 << 24
#: Most dimensions one array line may declare.
MAX_NDIM = 32

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
# The one spelling of each value kind (FORMAT.md, "Strictness and limits").
_HEX16S = re.compile(r"[0-9a-f]{16}(?: [0-9a-f]{16})*")
_UNSIGNED = re.compile(r"0|[1-9][0-9]*")
_SIGNED = re.compile(r"0|-?[1-9][0-9]*")
_INT_RANGES = {"u64": (0, 2**64 - 1), "i64": (-(2**63), 2**63 - 1), "u8": (0, 255)}
# A str value: "s:" then unreserved ASCII bytes or %XX (uppercase hex) escapes.
_STR_TOKEN = re.compile(r"s:(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# An rtol value: a plain decimal or exponent spelling (Python's repr of the float).
_RTOL_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z0-9_]+")
# One invalid-case flag (the vocabulary itself is parity/flags.py's, not the reader's).
_FLAG = re.compile(r"[A-Z][A-Za-z0-9]*")
# Anything but printable ASCII (0x20-0x7E), in text and in bytes.
_NOT_PRINTABLE = re.compile(r"[^\x20-\x7e]")
_NOT_PRINTABLE_BYTES = re.compile(rb"[^\x20-\x7e]")


class FormatError(ValueError):
    """A golden file or a harness answer that breaks parity/FORMAT.md.

    Attributes
    ----------
    line : int or None
        The 1-based line it is about (0: the file as a whole, e.g. no
        ``kernel`` line); ``None`` outside a file (a single line parsed alone).
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _canonical_int(token: str, tag: str, what: str, where: str) -> int:
    """``token`` as an integer of format type ``tag`` (``u64``, ``i64``, ``u8``), spelt canonically.

    Canonical: decimal digits without leading zeros or ``+``, a ``-`` only
    before a non-zero ``i64`` (so ``-0``, ``007``, ``+5``, ``0x10``, ``1_0``
    are all refused), and in the type's range.
    """
    pattern = _SIGNED if tag == "i64" else _UNSIGNED
    if len(token) > 20 or not pattern.fullmatch(token):
        raise FormatError(f"{where}: {what} must be a decimal {tag} without sign, leading zeros "
                          f"or other characters (a '-' only before a non-zero i64), "
                          f"got {token[:40]!r}")
    value = int(token)
    low, high = _INT_RANGES[tag]
    if not low <= value <= high:
        raise FormatError(f"{where}: {what} {value} out of range [{low}, {high}]")
    return value


def _bounded_size(token: str, what: str, where: str, limit: int) -> int:
    """A canonical non-negative decimal at most ``limit`` (an ndim or a dimension)."""
    value = _canonical_int(token, "u64", what, where)
    if value > limit:
        raise FormatError(f"{where}: {what} {value} is above the format's limit {limit}")
    return value


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
    if not _STR_TOKEN.fullmatch(token):
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
    if not _RTOL_TOKEN.fullmatch(token):
        raise FormatError(f"{where}: rtol value must be a decimal float such as 1e-12, "
                          f"got {token!r}")
    value = float(token)
    if not (math.isfinite(value) and value > 0.0) or repr(value) != token:
        raise FormatError(f"{where}: rtol value must be finite, > 0 and written as "
                          f"{repr(value)!r}, got {token!r}")
    return name, value


def format_flags(flags: Iterable[str], what: str = "flags") -> str:
    """The line ``flags <flag> <flag> ...`` of an invalid case.

    Raises
    ------
    FormatError
        Unless there is at least one flag, each spelt ``[A-Z][A-Za-z0-9]*``
        and none repeated.
    """
    names = list(flags)
    _check_flag_names(names, what)
    return "flags " + " ".join(names)


def parse_flags(rest: str, where: str = "line") -> tuple[str, ...]:
    """The flags of a ``flags`` line's text after the keyword.

    Raises
    ------
    FormatError
        Unless it is one or more flags separated by single spaces, each spelt
        ``[A-Z][A-Za-z0-9]*``, none repeated.  Whether a flag is in the
        vocabulary of :mod:`parity.flags` is not the reader's concern.
    """
    names = rest.split(" ")
    if "" in names:
        raise FormatError(f"{where}: expected 'flags <Flag> ...' with single spaces, got "
                          f"'flags {rest[:60]}'")
    _check_flag_names(names, where)
    return tuple(names)


def _check_flag_names(names: list[str], what: str) -> None:
    if not names:
        raise FormatError(f"{what}: an invalid case names at least one flag")
    for name in names:
        if not isinstance(name, str) or not _FLAG.fullmatch(name):
            raise FormatError(f"{what}: a flag is an ASCII capital then letters and digits, "
                              f"got {str(name)[:40]!r}")
    if len(set(names)) != len(names):
        raise FormatError(f"{what}: a flag is named twice in {' '.join(names)[:60]!r}")


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
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
    flags : tuple of str
        Why an invalid case is invalid (its ``flags`` line, at least one
        flag); empty for a valid case.
    """

    id: int
    comment: str
    valid: bool
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    flags: tuple[str, ...] = ()


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
    _check_name(name, "array name")
    arr = np.asarray(arr)
    if arr.dtype == object:
        raise FormatError(f"array {name!r}: object arrays cannot be written; use a string "
                          "dtype (StringDType) for strings")
    tag = dtype_tag(arr)
    if arr.ndim > MAX_NDIM or arr.size > MAX_ELEMENTS or max(arr.shape, default=0) > MAX_ELEMENTS:
        raise FormatError(f"array {name!r} of shape {arr.shape} is beyond the format's limits "
                          f"({MAX_NDIM} dimensions, {MAX_ELEMENTS} elements)")
    head = [kind, name, tag, str(arr.ndim), *(str(d) for d in arr.shape), ":"]
    return " ".join(head + _format_values(arr, tag))


def _parse_values(tokens: list[str], tag: str, where: str) -> np.ndarray:
    if tag == "str":
        return np.array([decode_str(tok, where) for tok in tokens], dtype=STR_DTYPE)
    if tag == "f64":
        joined = " ".join(tokens)
        if tokens and not _HEX16S.fullmatch(joined):
            bad = next(t for t in tokens if not _HEX16S.fullmatch(t))
            raise FormatError(f"{where}: f64 value must be 16 lowercase hex digits, "
                              f"got {bad[:40]!r}")
        raw = bytes.fromhex(joined.replace(" ", ""))
        return np.frombuffer(raw, dtype=">u8").astype(np.uint64).view(np.float64)
    values = [_canonical_int(tok, tag, f"{tag} value", where) for tok in tokens]
    return np.array(values, dtype=DTYPES[tag])


def parse_array_line(line: str, where: str = "line") -> tuple[str, str, np.ndarray]:
    """Parse one ``in``/``out`` line into ``(kind, name, array)``.

    The line is ``<in|out> <name> <dtype> <ndim> <dims...> : <values...>``
    with single spaces between tokens; ``ndim`` is at most :data:`MAX_NDIM`,
    every dimension and their product at most :data:`MAX_ELEMENTS` (checked
    before any array is built), and every value is in its dtype's one
    spelling (FORMAT.md).

    Raises
    ------
    FormatError
        On a malformed line (unknown dtype, bad rank or dims, wrong number of
        values, a value that is not canonical or does not fit the dtype).
    """
    if _NOT_PRINTABLE.search(line):
        raise FormatError(f"{where}: an array line holds only printable ASCII characters")
    tokens = line.split(" ")
    if len(tokens) < 5 or tokens[0] not in ("in", "out"):
        raise FormatError(f"{where}: expected '<in|out> <name> <dtype> <ndim> <dims...> : "
                          f"<values...>', got {line[:80]!r}")
    if "" in tokens:
        raise FormatError(f"{where}: the tokens of an array line are separated by single "
                          f"spaces, with none before or after: {line[:80]!r}")
    kind, name, tag, ndim_tok = tokens[:4]
    _check_name(name, f"{where}: array name")
    if tag not in DTYPES:
        raise FormatError(f"{where}: dtype must be one of {', '.join(DTYPES)}, got {tag[:40]!r}")
    ndim = _bounded_size(ndim_tok, "ndim", where, MAX_NDIM)
    colon = 4 + ndim
    if len(tokens) <= colon or tokens[colon] != ":":
        raise FormatError(f"{where}: ndim {ndim} needs {ndim} dimensions, then ' : ' before "
                          f"the values: {line[:80]!r}")
    dims = [_bounded_size(tok, "dimension", where, MAX_ELEMENTS) for tok in tokens[4:colon]]
    count = 1
    for d in dims:
        count *= d
        if count > MAX_ELEMENTS:
            raise FormatError(f"{where}: shape {tuple(dims)} has more than the format's limit "
                              f"of {MAX_ELEMENTS} elements")
    values = tokens[colon + 1:]
    if len(values) != count:
        raise FormatError(f"{where}: shape {tuple(dims)} needs {count} values, "
                          f"got {len(values)}")
    arr = _parse_values(values, tag, where).reshape(dims)
    return kind, name, arr


def _case_lines(case: Case) -> Iterable[str]:
    if case.id <= 0:
        raise FormatError(f"case id must be a positive integer, got {case.id}")
    if not 0 < case.id < 2**64:
        raise FormatError(f"case id must be a positive integer below 2**64, got {case.id}")
    if _NOT_PRINTABLE.search(case.comment):
        raise FormatError(f"case {case.id}: comment must be one line of printable ASCII")
    if not case.valid and case.outputs:
        raise FormatError(f"case {case.id}: an invalid case has no outputs")
    if case.valid and case.flags:
        raise FormatError(f"case {case.id}: a valid case has no flags")
    flags = None if case.valid else format_flags(case.flags, f"case {case.id}")
    yield f"case {case.id}"
    yield f"comment {case.comment}".rstrip()
    yield f"result {'valid' if case.valid else 'invalid'}"
    if flags is not None:
        yield flags
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
    _check_name(golden.kernel, "kernel name")
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


def _numbered_lines(data: str | bytes, source: str) -> Iterator[tuple[int, str]]:
    """``(number, line)`` for every ``\\n``-separated line; each must be printable ASCII."""
    if isinstance(data, bytes):
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if _NOT_PRINTABLE_BYTES.search(raw):
                raise _not_printable(source, number)
            yield number, raw.decode("ascii")
    else:
        for number, line in enumerate(data.split("\n"), start=1):
            if _NOT_PRINTABLE.search(line):
                raise _not_printable(source, number)
            yield number, line


def _not_printable(source: str, number: int) -> FormatError:
    return FormatError(f"{source}:{number}: golden files hold printable ASCII only (no tab, "
                       "carriage return, control or non-ASCII byte)", number)


def _is_content(line: str) -> bool:
    """Not a blank line (spaces at most) and not a ``#`` line."""
    return bool(line.strip(" ")) and not line.startswith("#")


@dataclass
class _OpenCase:
    """A case between its ``case`` and ``end`` lines."""

    id: int
    line: int
    comment: str | None = None
    valid: bool | None = None
    flags: tuple[str, ...] | None = None
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    outputs: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, keyword: str, rest: str, line: str, where: str) -> Case | None:
        """Take one line of the case; the finished :class:`Case` at its ``end``."""
        if keyword == "comment":
            if self.comment is not None or self.valid is not None or self.inputs:
                raise FormatError(f"{where}: 'comment' comes once, before 'result' and the "
                                  "arrays")
            self.comment = rest
        elif keyword == "result":
            if self.valid is not None or self.inputs:
                raise FormatError(f"{where}: 'result' comes once, before the arrays")
            if rest not in ("valid", "invalid"):
                raise FormatError(f"{where}: result must be 'valid' or 'invalid', "
                                  f"got {rest[:40]!r}")
            self.valid = rest == "valid"
        elif keyword == "flags":
            if self.valid is None or self.flags is not None or self.inputs:
                raise FormatError(f"{where}: 'flags' comes once, after 'result' and before "
                                  "the arrays")
            if self.valid:
                raise FormatError(f"{where}: valid case {self.id} has no 'flags' line")
            self.flags = parse_flags(rest, where)
        elif keyword in ("in", "out"):
            self._add_array(line, where)
        else:  # end
            if rest or line != "end":
                raise FormatError(f"{where}: the line closing a case is exactly 'end'")
            if self.valid is None:
                raise FormatError(f"{where}: case {self.id} has no 'result' line")
            if self.valid and not self.outputs:
                raise FormatError(f"{where}: valid case {self.id} lists no outputs")
            if not self.valid and self.flags is None:
                raise FormatError(f"{where}: invalid case {self.id} has no 'flags' line")
            return Case(self.id, self.comment or "", self.valid, self.inputs, self.outputs,
                        self.flags or ())
        return None

    def _add_array(self, line: str, where: str) -> None:
        if self.valid is None:
            raise FormatError(f"{where}: array line before 'result'")
        if not self.valid and self.flags is None:
            raise FormatError(f"{where}: array line before the invalid case's 'flags' line")
        kind, name, arr = parse_array_line(line, where)
        if kind == "in" and self.outputs:
            raise FormatError(f"{where}: 'in' line after an 'out' line")
        if kind == "out" and not self.valid:
            raise FormatError(f"{where}: invalid case {self.id} lists outputs")
        target = self.inputs if kind == "in" else self.outputs
        if name in target:
            raise FormatError(f"{where}: {kind} array {name!r} given twice")
        target[name] = arr


def _case_id(rest: str, where: str) -> int:
    if rest == "0" or not rest:
        raise FormatError(f"{where}: case id must be a positive integer, got {rest[:40]!r}")
    return _canonical_int(rest, "u64", "case id", where)


def loads_golden(text: str | bytes | TextIO, source: str = "<golden>") -> GoldenFile:
    """Parse golden-file text (``str``, ``bytes`` or an open text stream).

    Raises
    ------
    FormatError
        On anything that breaks the format (FORMAT.md, "Strictness and
        limits"), with :attr:`FormatError.line` the line it is about: a byte
        outside printable ASCII, a missing or repeated ``kernel`` line, lines
        out of order or outside a case, a case without ``result`` or ``end``,
        a valid case without outputs, outputs in an invalid case, an invalid
        case without one well-formed ``flags`` line, or a valid one with it, duplicate
        or non-canonical ids, a malformed array line, an ``rtol`` directive
        that is malformed, repeated, placed after the first case or names no
        ``f64`` output.
    """
    data = text if isinstance(text, (str, bytes)) else text.read()
    header: list[str] = []
    golden: GoldenFile | None = None
    case: _OpenCase | None = None
    rtol_lines: dict[str, int] = {}
    ids: set[int] = set()
    for number, line in _numbered_lines(data, source):
        if golden is None and line.startswith("#"):
            header.append(line[1:].strip())
        if not _is_content(line):
            continue
        where = f"{source}:{number}"
        keyword, _, rest = line.partition(" ")
        try:
            if golden is None:
                if keyword != "kernel":
                    raise FormatError(f"{where}: the first line must be 'kernel <name>'")
                _check_name(rest, f"{where}: kernel name")
                golden = GoldenFile(rest, header=header)
            elif keyword == "kernel":
                raise FormatError(f"{where}: a second 'kernel' line")
            elif keyword == "rtol":
                if golden.cases or case is not None:
                    raise FormatError(f"{where}: 'rtol' lines come before the first case")
                name, value = parse_rtol(rest, where)
                if name in golden.rtol:
                    raise FormatError(f"{where}: rtol of {name!r} given twice")
                golden.rtol[name] = value
                rtol_lines[name] = number
            elif keyword == "case":
                if case is not None:
                    raise FormatError(f"{where}: case {case.id} (line {case.line}) is not "
                                      "closed by 'end'")
                case_id = _case_id(rest, where)
                if case_id in ids:
                    raise FormatError(f"{where}: case id {case_id} must be unique")
                ids.add(case_id)
                case = _OpenCase(case_id, number)
            elif keyword in ("comment", "result", "flags", "in", "out", "end"):
                if case is None:
                    raise FormatError(f"{where}: {keyword!r} outside a case")
                finished = case.add(keyword, rest, line, where)
                if finished is not None:
                    golden.cases.append(finished)
                    case = None
            else:
                raise FormatError(f"{where}: unknown line {line[:60]!r}")
        except FormatError as exc:
            if exc.line is None:
                exc.line = number
            raise
    if case is not None:
        raise FormatError(f"{source}:{case.line}: case {case.id} has no 'end'", case.line)
    if golden is None:
        raise FormatError(f"{source}: no 'kernel' line", 0)
    for name, number in rtol_lines.items():
        try:
            _check_rtol_outputs({name: golden.rtol[name]}, golden.cases, f"{source}:{number}")
        except FormatError as exc:
            exc.line = number
            raise
    return golden


def read_golden(path: str | Path) -> GoldenFile:
    """Read a golden file; see :func:`loads_golden`."""
    path = Path(path)
    return loads_golden(path.read_bytes(), source=str(path))


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

    Blank lines, ``#`` lines and ``end`` lines are ignored; ``out`` lines
    follow the strict array-line syntax of golden files; a refusal's reason
    is free text.

    Returns
    -------
    dict of int to HarnessAnswer
        In output order.

    Raises
    ------
    FormatError
        On anything else (never another exception): an unknown line, an
        ``out`` line outside an ``ok`` case or malformed, a case answered
        twice, a repeated output name; :attr:`FormatError.line` is the stdout
        line.
    """
    answers: dict[int, HarnessAnswer] = {}
    current: HarnessAnswer | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if not _is_content(line) or line == "end":
            continue
        where = f"{source} stdout line {number}"
        word, _, rest = line.partition(" ")
        try:
            if word == "case":
                current = _harness_case(rest, line, where, answers)
                answers[current.id] = current
            elif word == "out":
                if current is None or not current.ok:
                    raise FormatError(f"{where}: 'out' line outside a 'case <id> ok' answer")
                _, name, arr = parse_array_line(line, where)
                if name in current.outputs:
                    raise FormatError(f"{where}: case {current.id} gives output {name!r} twice")
                current.outputs[name] = arr
            else:
                raise FormatError(f"{where}: unexpected line {line[:80]!r}")
        except FormatError as exc:
            exc.line = number
            raise
    return answers


def _harness_case(rest: str, line: str, where: str,
                  answers: dict[int, HarnessAnswer]) -> HarnessAnswer:
    """The answer a ``case <id> ok`` / ``case <id> invalid [<reason>]`` line starts."""
    fields = rest.split(" ", 2)
    if len(fields) < 2 or fields[1] not in ("ok", "invalid") or (fields[1] == "ok"
                                                                   and len(fields) > 2):
        raise FormatError(f"{where}: expected 'case <id> ok' or "
                          f"'case <id> invalid <reason>', got {line[:80]!r}")
    case_id = _case_id(fields[0], where)
    if case_id in answers:
        raise FormatError(f"{where}: case {case_id} answered twice")
    ok = fields[1] == "ok"
    return HarnessAnswer(case_id, ok, "" if ok else (fields[2] if len(fields) > 2 else ""))
