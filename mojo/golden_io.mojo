"""Reader for parity/FORMAT.md golden files and writer for harness output.

Standard library only.  ``u64`` values are parsed with a digit loop straight
into ``UInt64`` (values above 2**63 are common), ``f64`` values are 16 hex
digits of the IEEE-754 bit pattern.

The reader is more lenient than the strict ones (parity/golden_format.py,
rust/mirror), but reads every file they accept (tests/test_kernels.mojo runs
parity/format_cases.txt and parity/format_mutants.txt through it): ``rtol``
lines are skipped (this mirror answers kernel files only), so are an invalid
case's ``flags`` lines (why it is invalid; the answer never depends on them),
and case ids go up to 2**64 - 1.
"""

from std.memory import bitcast

from sc_accel.ndarray import NDArray, shape_size

comptime NL: UInt8 = 10
comptime CR: UInt8 = 13
comptime SP: UInt8 = 32
comptime TAB: UInt8 = 9


struct Field(Copyable, Movable):
    """One ``in`` line: every value kept as its 64-bit pattern.

    ``u64``/``u8`` values as themselves, ``i64`` as the two's-complement bits,
    ``f64`` as the IEEE-754 bits.  ``error`` is non-empty when a value does not
    fit the dtype (the kernel then refuses the case).
    """

    var name: String
    var dtype: String
    var shape: List[Int]
    var raw: List[UInt64]
    var error: String

    def __init__(out self, var name: String, var dtype: String, var shape: List[Int],
                 var raw: List[UInt64], var error: String):
        self.name = name^
        self.dtype = dtype^
        self.shape = shape^
        self.raw = raw^
        self.error = error^


struct Case(Copyable, Movable):
    var id: UInt64
    var fields: List[Field]

    def __init__(out self, id: UInt64):
        self.id = id
        self.fields = List[Field]()

    def index_of(self, name: String) raises -> Int:
        for k in range(len(self.fields)):
            if self.fields[k].name == name:
                return k
        raise Error("missing input '" + name + "'")

    def check_names(self, expected: List[String]) raises:
        """Refuse inputs the kernel does not take (and duplicates)."""
        for k in range(len(self.fields)):
            var known = False
            for e in expected:
                if self.fields[k].name == e:
                    known = True
            if not known:
                raise Error("unexpected input '" + self.fields[k].name + "'")
            for j in range(k):
                if self.fields[j].name == self.fields[k].name:
                    raise Error("duplicate input '" + self.fields[k].name + "'")


struct GoldenFile(Movable):
    var kernel: String
    var cases: List[Case]

    def __init__(out self):
        self.kernel = String()
        self.cases = List[Case]()


# ---------------------------------------------------------------- parsing

def _is_space(c: UInt8) -> Bool:
    return c == SP or c == TAB or c == CR


def _token_end(buf: List[UInt8], start: Int, end: Int) -> Int:
    var k = start
    while k < end and not _is_space(buf[k]):
        k += 1
    return k


def _skip_space(buf: List[UInt8], start: Int, end: Int) -> Int:
    var k = start
    while k < end and _is_space(buf[k]):
        k += 1
    return k


def _text(buf: List[UInt8], start: Int, stop: Int) -> String:
    var s = String()
    for k in range(start, stop):
        s += chr(Int(buf[k]))
    return s^


def _parse_count(buf: List[UInt8], start: Int, stop: Int) raises -> Int:
    """A non-negative decimal (case ids, ndim, dimensions)."""
    if stop <= start or stop - start > 18:
        raise Error("bad count '" + _text(buf, start, stop) + "'")
    var n = 0
    for k in range(start, stop):
        var c = buf[k]
        if c < 48 or c > 57:
            raise Error("bad count '" + _text(buf, start, stop) + "'")
        n = n * 10 + Int(c - 48)
    return n


def parse_u64(buf: List[UInt8], start: Int, stop: Int) raises -> UInt64:
    """Decimal digits into UInt64 with an overflow check (no signed detour)."""
    if stop <= start:
        raise Error("empty u64")
    var limit = UInt64(18446744073709551615)
    var n: UInt64 = 0
    for k in range(start, stop):
        var c = buf[k]
        if c < 48 or c > 57:
            raise Error("bad u64 '" + _text(buf, start, stop) + "'")
        var d = UInt64(c - 48)
        if n > (limit - d) // 10:
            raise Error("u64 out of range '" + _text(buf, start, stop) + "'")
        n = n * 10 + d
    return n


def parse_i64_bits(buf: List[UInt8], start: Int, stop: Int) raises -> UInt64:
    """Signed decimal, returned as its two's-complement 64-bit pattern."""
    var k = start
    var negative = False
    if k < stop and (buf[k] == 45 or buf[k] == 43):  # '-' or '+'
        negative = buf[k] == 45
        k += 1
    var mag = parse_u64(buf, k, stop)
    if negative:
        if mag > UInt64(1) << 63:
            raise Error("i64 out of range '" + _text(buf, start, stop) + "'")
        return UInt64(0) - mag
    if mag >= UInt64(1) << 63:
        raise Error("i64 out of range '" + _text(buf, start, stop) + "'")
    return mag


def parse_hex64(buf: List[UInt8], start: Int, stop: Int) raises -> UInt64:
    """Exactly 16 hex digits (either case) into a 64-bit pattern."""
    if stop - start != 16:
        raise Error("f64 must be 16 hex digits, got '" + _text(buf, start, stop) + "'")
    var n: UInt64 = 0
    for k in range(start, stop):
        var c = buf[k]
        var d: UInt64
        if c >= 48 and c <= 57:
            d = UInt64(c - 48)
        elif c >= 97 and c <= 102:
            d = UInt64(c - 87)
        elif c >= 65 and c <= 70:
            d = UInt64(c - 55)
        else:
            raise Error("bad f64 hex '" + _text(buf, start, stop) + "'")
        n = (n << 4) | d
    return n


def _parse_field(buf: List[UInt8], start: Int, end: Int) raises -> Field:
    """``<name> <dtype> <ndim> <dims...> : <values...>`` (after the ``in``)."""
    var k = _skip_space(buf, start, end)
    var t = _token_end(buf, k, end)
    var name = _text(buf, k, t)
    k = _skip_space(buf, t, end)
    t = _token_end(buf, k, end)
    var dtype = _text(buf, k, t)
    k = _skip_space(buf, t, end)
    t = _token_end(buf, k, end)
    var ndim = _parse_count(buf, k, t)
    var shape = List[Int]()
    for _ in range(ndim):
        k = _skip_space(buf, t, end)
        t = _token_end(buf, k, end)
        shape.append(_parse_count(buf, k, t))
    k = _skip_space(buf, t, end)
    t = _token_end(buf, k, end)
    if t - k != 1 or buf[k] != 58:  # ':'
        raise Error("expected ':' after the shape of '" + name + "'")
    var error = String()
    var n = 0
    try:
        n = shape_size(shape)
    except e:
        error = String(e)
    # Reserve by what the line can hold, not by what the header claims.
    var raw = List[UInt64](capacity=min(n, (end - t) // 2 + 1))
    k = _skip_space(buf, t, end)
    while k < end:
        t = _token_end(buf, k, end)
        if error.byte_length() == 0:
            try:
                if dtype == "u64":
                    raw.append(parse_u64(buf, k, t))
                elif dtype == "u8":
                    var x = parse_u64(buf, k, t)
                    if x > 255:
                        raise Error("u8 out of range '" + _text(buf, k, t) + "'")
                    raw.append(x)
                elif dtype == "i64":
                    raw.append(parse_i64_bits(buf, k, t))
                elif dtype == "f64":
                    raw.append(parse_hex64(buf, k, t))
                else:
                    raise Error("unknown dtype '" + dtype + "'")
            except e:
                error = String(e)
        k = _skip_space(buf, t, end)
    if error.byte_length() == 0 and len(raw) != n:
        error = "'" + name + "' has " + String(len(raw)) + " values for " + String(n) + " elements"
    return Field(name^, dtype^, shape^, raw^, error^)


def _keyword_is(buf: List[UInt8], start: Int, stop: Int, word: StaticString) -> Bool:
    var w = word.as_bytes()
    if stop - start != len(w):
        return False
    for k in range(len(w)):
        if buf[start + k] != w[k]:
            return False
    return True


def read_golden(path: String) raises -> GoldenFile:
    """Parse a golden file; ``out`` and ``result`` lines are skipped unparsed."""
    var buf: List[UInt8]
    with open(path, "r") as fh:
        buf = fh.read_bytes()
    return parse_golden(buf, path)


def parse_golden(buf: List[UInt8], source: String) raises -> GoldenFile:
    """Parse golden-file bytes (``source`` names them in errors); see ``read_golden``."""
    var g = GoldenFile()
    var line_start = 0
    var n = len(buf)
    var in_case = False
    var current = Case(0)
    var line_no = 0
    while line_start < n:
        var line_end = line_start
        while line_end < n and buf[line_end] != NL:
            line_end += 1
        line_no += 1
        var k = _skip_space(buf, line_start, line_end)
        if k < line_end and buf[k] != 35:  # not blank, not '#'
            var t = _token_end(buf, k, line_end)
            try:
                if _keyword_is(buf, k, t, "kernel"):
                    var a = _skip_space(buf, t, line_end)
                    g.kernel = _text(buf, a, _token_end(buf, a, line_end))
                elif _keyword_is(buf, k, t, "case"):
                    if in_case:
                        raise Error("'case' before 'end'")
                    var a = _skip_space(buf, t, line_end)
                    current = Case(parse_u64(buf, a, _token_end(buf, a, line_end)))
                    in_case = True
                elif _keyword_is(buf, k, t, "end"):
                    if not in_case:
                        raise Error("'end' outside a case")
                    g.cases.append(current.copy())
                    in_case = False
                elif _keyword_is(buf, k, t, "in"):
                    if not in_case:
                        raise Error("'in' outside a case")
                    current.fields.append(_parse_field(buf, t, line_end))
                elif (_keyword_is(buf, k, t, "out") or _keyword_is(buf, k, t, "result")
                      or _keyword_is(buf, k, t, "comment") or _keyword_is(buf, k, t, "flags")):
                    if not in_case:
                        raise Error("'" + _text(buf, k, t) + "' outside a case")
                elif _keyword_is(buf, k, t, "rtol"):
                    if in_case:
                        raise Error("'rtol' inside a case")
                else:
                    raise Error("unknown line keyword '" + _text(buf, k, t) + "'")
            except e:
                raise Error(source + ":" + String(line_no) + ": " + String(e))
        line_start = line_end + 1
    if in_case:
        raise Error(source + ": case " + String(current.id) + " has no 'end'")
    return g^


# ---------------------------------------------------------------- typed access

def _checked[dt: DType](f: Field, dtype: StaticString) raises -> NDArray[dt]:
    if f.dtype != dtype:
        raise Error(f.name + " must have dtype " + dtype + ", got " + f.dtype)
    if f.error.byte_length() != 0:
        raise Error(f.error)
    var data = List[Scalar[dt]](capacity=len(f.raw))
    for x in f.raw:
        comptime if dt == DType.float64:
            data.append(bitcast[dt](x))
        else:
            data.append(Scalar[dt](x))
    return NDArray[dt](f.shape.copy(), data^)


def get_u64(c: Case, name: String) raises -> NDArray[DType.uint64]:
    return _checked[DType.uint64](c.fields[c.index_of(name)], "u64")


def get_u8(c: Case, name: String) raises -> NDArray[DType.uint8]:
    return _checked[DType.uint8](c.fields[c.index_of(name)], "u8")


def get_f64(c: Case, name: String) raises -> NDArray[DType.float64]:
    return _checked[DType.float64](c.fields[c.index_of(name)], "f64")


def get_i64_scalar(c: Case, name: String) raises -> Int:
    ref f = c.fields[c.index_of(name)]
    if f.dtype != "i64":
        raise Error(name + " must have dtype i64, got " + f.dtype)
    if f.error.byte_length() != 0:
        raise Error(f.error)
    if len(f.shape) != 0:
        raise Error(name + " must be a 0-D scalar, got " + String(len(f.shape)) + "-D")
    return Int(bitcast[DType.int64](f.raw[0]))


def get_f64_scalar(c: Case, name: String) raises -> Float64:
    ref f = c.fields[c.index_of(name)]
    if f.dtype != "f64":
        raise Error(name + " must have dtype f64, got " + f.dtype)
    if f.error.byte_length() != 0:
        raise Error(f.error)
    if len(f.shape) != 0:
        raise Error(name + " must be a 0-D scalar, got " + String(len(f.shape)) + "-D")
    return bitcast[DType.float64](f.raw[0])


# ---------------------------------------------------------------- output

def _header(mut s: String, name: String, dtype: StaticString, shape: List[Int]):
    s += "out "
    s += name
    s += " "
    s += dtype
    s += " "
    s += String(len(shape))
    for d in shape:
        s += " "
        s += String(d)
    s += " :"


def write_u64(mut s: String, name: String, a: NDArray[DType.uint64]):
    _header(s, name, "u64", a.shape)
    for x in a.data:
        s.write(" ", x)
    s += "\n"


def write_u8(mut s: String, name: String, a: NDArray[DType.uint8]):
    _header(s, name, "u8", a.shape)
    for x in a.data:
        s.write(" ", Int(x))
    s += "\n"


def write_f64(mut s: String, name: String, a: NDArray[DType.float64]):
    _header(s, name, "f64", a.shape)
    for x in a.data:
        var h = hex(bitcast[DType.uint64](x), prefix="")
        s += " "
        if h.byte_length() < 16:
            s += String("0") * (16 - h.byte_length())
        s += h
    s += "\n"
