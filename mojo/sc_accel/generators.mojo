"""The stream generators (docs/design.md#stream-generators): what each side of a product reads.

Every generator is a comparator: bit ``t`` of input ``i`` is
``(seq[(start_i + t) mod period] ^ mask_i) < x_i``.  Per role (``"input"``,
``"weight"``) a generator fixes the sequence and how ``start_i`` and
``mask_i`` follow from the seed:

* ``"lfsr"`` (the reference): both sides read the register of ``lfsr.mojo``
  from state ``(seed + i) mod 65536`` (0 -> 1); no mask;
* ``"lfsr_pair"``: the input side is ``"lfsr"``; the weight side reads a
  second register (taps 16, 15, 13, 4) started by the same rule;
* ``"sobol"``: the weight side reads Sobol coordinate 1 (the bit reversal of
  the index), the input side coordinate 2 (polynomial ``x + 1``), as 16-bit
  integers from point 0, XORed with the top 16 bits of SplitMix64 draw
  ``2 i + c`` (from 1) of seed ``seed``, ``c`` the coordinate.  Period 65536.
"""

comptime SOBOL_PERIOD = 65536


def pair_next(r: Int) -> Int:
    """One step of ``"lfsr_pair"``'s weight-side register (taps 16, 15, 13, 4)."""
    var fb = ((r >> 15) ^ (r >> 14) ^ (r >> 12) ^ (r >> 3)) & 1
    return ((r << 1) | fb) & 0xFFFF


def sobol_direction(k: Int, coordinate: Int) -> Int:
    """``V_(k+1)`` of Sobol ``coordinate`` (1: every ``m = 1``; 2: ``x + 1``,
    ``m_1 = 1``, ``m_j = 2 m_(j-1) ^ m_(j-1)``), as a 16-bit integer."""
    var m = 1
    if coordinate == 2:
        for _ in range(k):
            m = (m << 1) ^ m
    return m << (15 - k)


def sobol_point(n: Int, coordinate: Int) -> Int:
    """Point ``n`` (below 65536) of Sobol ``coordinate``: the XOR of ``V_k`` over the set
    bits ``k - 1`` of ``n``."""
    var x = 0
    for k in range(16):
        if (n >> k) & 1 == 1:
            x ^= sobol_direction(k, coordinate)
    return x


def splitmix_draw(seed: UInt64, k: UInt64) -> UInt64:
    """Draw ``k`` (counted from 1) of SplitMix64 seeded with ``seed``."""
    var z = seed + k * 0x9E3779B97F4A7C15
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB
    return z ^ (z >> 31)


def digital_shift(seed: Int, i: Int, coordinate: Int) -> Int:
    """The XOR mask of input ``i`` on Sobol ``coordinate``."""
    return Int(splitmix_draw(UInt64(seed), UInt64(2 * i + coordinate)) >> 48)


def check_generator(generator: String) raises:
    """Refuse a name that is not a stream generator."""
    if generator != "lfsr" and generator != "sobol" and generator != "lfsr_pair":
        raise Error("generator must be one of lfsr, sobol, lfsr_pair; got '" + generator + "'")


def check_role(role: String) raises:
    """Refuse a role other than ``"input"`` and ``"weight"``."""
    if role != "input" and role != "weight":
        raise Error("role must be one of input, weight; got '" + role + "'")
