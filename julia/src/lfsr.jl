# The 16-bit Fibonacci LFSR comparator encoder of docs/design.md#encoder
# (mirrors go/sckernels/lfsr.go).

"""Length of the LFSR cycle (all non-zero 16-bit states)."""
const PERIOD = 65535

"""Encoder seed used when the caller gives none (0xACE1)."""
const DEFAULT_SEED = 44257

"""One step of the 16-bit Fibonacci LFSR (taps 16, 14, 13, 11)."""
function lfsr_next(r::UInt32)
    fb = xor(xor(xor(r >> 15, r >> 13), r >> 12), r >> 10) & UInt32(1)
    return ((r << 1) | fb) & UInt32(0xFFFF)
end

const LFSR_CACHE = Ref{Union{Nothing,Tuple{Vector{UInt32},Vector{Int}}}}(nothing)

"""
    lfsr_tables() -> (seq, pos)

The LFSR cycle and its inverse, computed once per process:
`seq[k + 1]` is the state `k` steps after state 1 (`0 <= k < PERIOD`) and
`pos[s + 1]` is the `k` with `seq[k + 1] == s` (`pos[1]`, for state 0, unused).
"""
function lfsr_tables()
    cached = LFSR_CACHE[]
    cached === nothing || return cached
    seq = Vector{UInt32}(undef, PERIOD)
    pos = zeros(Int, 65536)
    r = UInt32(1)
    for k in 0:PERIOD-1
        seq[k + 1] = r
        pos[Int(r) + 1] = k
        r = lfsr_next(r)
    end
    tables = (seq, pos)
    LFSR_CACHE[] = tables
    return tables
end

"""
    quantize(p) -> UInt32

The comparator threshold `x = clip(round_half_even(p * 65536), 0, 65536)`.
`round` rounds to nearest with ties to even (`RoundNearest`).
"""
function quantize(p::Float64)
    x = round(p * 65536.0)
    x <= 0 && return UInt32(0)
    x >= 65536 && return UInt32(65536)
    return UInt32(x)
end

"""Register seed of input `i` (0-based): `(seed + i) mod 65536`, with 0 replaced by 1."""
function start_state(seed::Int64, i::Int)
    r = UInt32(mod(seed + i, 65536))
    return r == 0 ? UInt32(1) : r
end

"""
    encode_stream!(dst, off, n_words, x, r, len)

Write the packed stream of threshold `x` from register state `r` into
`dst[off + 1 : off + n_words]` (bits past `len` stay 0).
"""
function encode_stream!(dst::Vector{UInt64}, off::Int, n_words::Int, x::UInt32, r::UInt32, len::Int)
    seq, pos = lfsr_tables()
    k = pos[Int(r) + 1]
    t = 0
    for w in 1:n_words
        stop = min(t + WORD_BITS, len)
        word = UInt64(0)
        b = 0
        while t < stop
            # seq < x without a branch: both are below 2^17, so the UInt32
            # difference wraps (sets bit 31) exactly when seq < x.
            word |= UInt64((seq[k + 1] - x) >> 31) << b
            k += 1
            if k == PERIOD
                k = 0
            end
            b += 1
            t += 1
        end
        dst[off + w] = word
    end
    return nothing
end

"""
    encode_rows!(dst, probs, n, len, seed)

Encode validated probabilities, rows of `n` inputs each, into `dst`
(C order `(rows, n, n_words)`); flat element `j` is input `j mod n`.
"""
function encode_rows!(dst::Vector{UInt64}, probs::Vector{Float64}, n::Int, len::Int, seed::Int64)
    n_words = n_words_for(len)
    lfsr_tables()  # build the table before the threads read it
    Threads.@threads for j in 1:length(probs)
        i = mod(j - 1, n)
        encode_stream!(dst, (j - 1) * n_words, n_words, quantize(probs[j]), start_state(seed, i), len)
    end
    return nothing
end

"""
    encode(probs, len, seed) -> NDArray{UInt64}

Packed LFSR bitstreams of probabilities of shape `(n,)` or `(B, n)`: shape
`(n, W)` or `(B, n, W)` with `W = ceil(len / 64)`. Input index `i` (the last
axis) uses register seed `(seed + i) mod 65536`.
"""
function encode(probs::NDArray{Float64}, len::Integer, seed::Integer)
    len, seed = Int64(len), Int64(seed)
    check_length(len)
    check_seed(seed)
    check_array("probs", probs, 1, 2)
    check_probabilities("probs", probs.data)
    n_words = n_words_for(len)
    shape = vcat(probs.shape, [Int(n_words)])
    data = zeros(UInt64, shape_size(shape))
    n = probs.shape[end]
    if n > 0
        encode_rows!(data, probs.data, n, Int(len), seed)
    end
    return NDArray{UInt64}(shape, data)
end
