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
