"""A deliberately slow, pure-Python oracle written straight from docs/design.md#encoder.

No NumPy, no tables, no vectorisation: one bit at a time, so that it shares no
code (and no bugs) with any backend.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal


def quantize(p: float) -> int:
    """``clip(round_half_even(p * 65536), 0, 65536)`` via exact decimals."""
    x = int((Decimal(p) * 65536).to_integral_value(rounding=ROUND_HALF_EVEN))
    return min(max(x, 0), 65536)


def stream_bits(p: float, length: int, seed: int, i: int) -> list[int]:
    """The ``length`` stream bits of input ``i``."""
    r = (seed + i) % 65536
    if r == 0:
        r = 1
    x = quantize(p)
    bits = []
    for _ in range(length):
        bits.append(1 if r < x else 0)
        fb = ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1
        r = ((r << 1) | fb) & 0xFFFF
    return bits


def pack(bits: list[int]) -> list[int]:
    """Bit ``t`` -> word ``t // 64``, position ``t % 64``."""
    words = [0] * ((len(bits) + 63) // 64)
    for t, bit in enumerate(bits):
        if bit:
            words[t // 64] |= 1 << (t % 64)
    return words


def encode(probs: list[float], length: int, seed: int) -> list[list[int]]:
    """Packed words per input."""
    return [pack(stream_bits(p, length, seed, i)) for i, p in enumerate(probs)]


def forward(weights: list, probs: list[float], length: int, seed: int) -> list[float]:
    """``out[o] = sum_i,w popcount(W[o][i][w] & X[i][w]) / length``."""
    streams = encode(probs, length, seed)
    out = []
    for row in weights:
        count = 0
        for w_words, x_words in zip(row, streams):
            for w, x in zip(w_words, x_words):
                count += bin(int(w) & x).count("1")
        out.append(count / length)
    return out


# ------------------------------------------------------------- other stream generators
# Written from docs/design.md#stream-generators alone: registers stepped bit
# by bit, Sobol points from their direction numbers, SplitMix64 from its
# three lines.

PAIR_TAPS = (16, 15, 13, 4)


def _register_states(start: int, taps: tuple[int, ...], length: int) -> list[int]:
    r, out = start, []
    for _ in range(length):
        out.append(r)
        fb = 0
        for tap in taps:
            fb ^= (r >> (tap - 1)) & 1
        r = ((r << 1) | fb) & 0xFFFF
    return out


def _sobol_point(n: int, coordinate: int) -> int:
    """Point ``n mod 65536`` of Sobol coordinate 1 (m_k = 1) or 2 (x + 1, m_1 = 1)."""
    m, x = 1, 0
    for k in range(16):
        if (n >> k) & 1:
            x ^= m << (15 - k)
        if coordinate == 2:
            m = (m << 1) ^ m
    return x


def splitmix_draw(seed: int, k: int) -> int:
    """Draw ``k`` (from 1) of SplitMix64 seeded with ``seed``."""
    mask = (1 << 64) - 1
    z = (seed + k * 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def generator_values(generator: str, role: str, length: int, seed: int, i: int) -> list[int]:
    """The ``length`` values input ``i`` compares with its threshold."""
    r = (seed + i) % 65536 or 1
    if generator == "lfsr" or (generator == "lfsr_pair" and role == "input"):
        return _register_states(r, (16, 14, 13, 11), length)
    if generator == "lfsr_pair":
        return _register_states(r, PAIR_TAPS, length)
    coordinate = 1 if role == "weight" else 2
    shift = splitmix_draw(seed, 2 * i + coordinate) >> 48
    return [_sobol_point(t % 65536, coordinate) ^ shift for t in range(length)]


def encode_with(probs: list[float], length: int, seed: int, generator: str,
                role: str) -> list[list[int]]:
    """Packed words per input, bit ``t`` = ``value_t < quantize(p)``."""
    return [pack([1 if v < quantize(p) else 0
                  for v in generator_values(generator, role, length, seed, i)])
            for i, p in enumerate(probs)]
