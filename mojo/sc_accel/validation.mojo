"""Input checks shared by the kernels (docs/design.md#errors, FORMAT.md invalid classes).

Every helper raises ``Error`` with a message naming the argument and the
expected form; a kernel that raises never returns a result.
"""

from std.memory import bitcast

from .ndarray import NDArray, shape_str

comptime SEED_LIMIT = 1 << 32
comptime WORD_BITS = 64


def n_words_for(n_bits: Int) -> Int:
    """Number of 64-bit words that hold ``n_bits`` bits (``n_bits >= 0``)."""
    # Written so that n_bits near 2**63 cannot overflow.
    return n_bits // WORD_BITS + (1 if n_bits % WORD_BITS != 0 else 0)


def is_finite(x: Float64) -> Bool:
    """IEEE-754 test on the bit pattern: exponent field not all ones.

    Done on the bits so that no compiler floating-point mode can change it.
    """
    var bits = bitcast[DType.uint64](x)
    return ((bits >> 52) & 0x7FF) != 0x7FF


def check_rank[dt: DType](a: NDArray[dt], name: String, lo: Int, hi: Int) raises:
    """Raise unless ``lo <= a.ndim() <= hi``."""
    if a.ndim() < lo or a.ndim() > hi:
        var forms: String
        if lo == hi:
            forms = String(lo) + "-D"
        else:
            forms = String(lo) + "-D to " + String(hi) + "-D"
        raise Error(name + " must be " + forms + ", got shape " + shape_str(a.shape))


def check_length(length: Int) raises:
    if length < 1:
        raise Error("length must be an int >= 1, got " + String(length))


def check_seed(seed: Int) raises:
    if seed < 0 or seed >= SEED_LIMIT:
        raise Error("seed must be an int in [0, 4294967296), got " + String(seed))


def check_probabilities(p: NDArray[DType.float64], name: String) raises:
    """Every value finite and in [0, 1]."""
    for k in range(p.size()):
        var x = p.data[k]
        if not is_finite(x):
            raise Error(name + " must be finite, got " + String(x) + " at flat index " + String(k))
        if not (x >= 0.0 and x <= 1.0):
            raise Error(name + " must be in [0, 1], got " + String(x) + " at flat index " + String(k))


def check_finite(a: NDArray[DType.float64], name: String) raises:
    for k in range(a.size()):
        if not is_finite(a.data[k]):
            raise Error(name + " must be finite, got " + String(a.data[k])
                        + " at flat index " + String(k))


def check_finite_scalar(x: Float64, name: String) raises:
    if not is_finite(x):
        raise Error(name + " must be finite, got " + String(x))
