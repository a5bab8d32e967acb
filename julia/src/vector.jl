# Packed bitstream operations of docs/design.md#vector-operations (mirrors go/sckernels/vector.go).

"""
    pack(bits::NDArray{UInt8}) -> NDArray{UInt64}

Pack 0/1 bits of shape `(N,)` or `(B, N)` into words of shape
`(ceil(N/64),)` or `(B, ceil(N/64))`: bit `t` goes to word `t ÷ 64`, bit
`t % 64` (least-significant first); bits past `N` in the last word are 0.
"""
function pack(bits::NDArray{UInt8})
    check_array("bits", bits, 1, 2)
    for (k, b) in enumerate(bits.data)
        b > 1 && invalid("bits must contain only 0 and 1, got $(Int(b)) at flat index $(k - 1)")
    end
    n = bits.shape[end]
    rows = length(bits.shape) == 2 ? bits.shape[1] : 1
    n_words = n_words_for(n)
    out = zeros(UInt64, rows * n_words)
    for row in 0:rows-1, t in 0:n-1
        b = bits.data[row * n + t + 1]
        out[row * n_words + div(t, WORD_BITS) + 1] |= UInt64(b) << (t % WORD_BITS)
    end
    return NDArray{UInt64}(with_last(bits.shape, n_words), out)
end

"""
    unpack(packed::NDArray{UInt64}, n_bits) -> NDArray{UInt8}

Inverse of [`pack`](@ref): the first `n_bits` bits of every row of `packed`
(`(W,)` or `(B, W)`) as 0/1 of shape `(n_bits,)` or `(B, n_bits)`.
Needs `0 <= n_bits` and `ceil(n_bits / 64) <= W`.
"""
function unpack(packed::NDArray{UInt64}, n_bits::Integer)
    check_array("packed", packed, 1, 2)
    n_bits < 0 && invalid("n_bits must be an int >= 0, got $n_bits")
    n_words = packed.shape[end]
    if n_words_for(n_bits) > n_words
        invalid("n_bits = $n_bits needs $(n_words_for(n_bits)) words per row, packed has $n_words")
    end
    rows = length(packed.shape) == 2 ? packed.shape[1] : 1
    n = Int(n_bits)
    out = zeros(UInt8, rows * n)
    for row in 0:rows-1, t in 0:n-1
        w = packed.data[row * n_words + div(t, WORD_BITS) + 1]
        out[row * n + t + 1] = UInt8((w >> (t % WORD_BITS)) & UInt64(1))
    end
    return NDArray{UInt8}(with_last(packed.shape, n), out)
end

"""Number of set bits of every word, same shape as `a`."""
function popcount(a::NDArray{UInt64})
    check_array("a", a)
    return NDArray{UInt64}(copy(a.shape), UInt64[count_ones(w) for w in a.data])
end

"""Apply `op` word by word to two arrays of the same shape."""
function binary_op(a::NDArray{UInt64}, b::NDArray{UInt64}, op)
    check_array("a", a)
    check_array("b", b)
    same_shape("a", a.shape, "b", b.shape)
    return NDArray{UInt64}(copy(a.shape), UInt64[op(a.data[k], b.data[k]) for k in 1:length(a.data)])
end

"""Bitwise AND of packed streams (SC unipolar multiply)."""
vec_and(a::NDArray{UInt64}, b::NDArray{UInt64}) = binary_op(a, b, (x, y) -> x & y)

"""Bitwise XNOR of packed streams (SC bipolar multiply)."""
vec_xnor(a::NDArray{UInt64}, b::NDArray{UInt64}) = binary_op(a, b, (x, y) -> ~xor(x, y))

"""Bitwise complement of every word (all 64 bits)."""
function vec_not(a::NDArray{UInt64})
    check_array("a", a)
    return NDArray{UInt64}(copy(a.shape), UInt64[~w for w in a.data])
end

"""`(sel & a) | (~sel & b)`: SC scaled addition with select stream `sel`."""
function vec_mux(sel::NDArray{UInt64}, a::NDArray{UInt64}, b::NDArray{UInt64})
    check_array("sel", sel)
    check_array("a", a)
    check_array("b", b)
    same_shape("sel", sel.shape, "a", a.shape)
    same_shape("sel", sel.shape, "b", b.shape)
    out = UInt64[(sel.data[k] & a.data[k]) | (~sel.data[k] & b.data[k]) for k in 1:length(sel.data)]
    return NDArray{UInt64}(copy(sel.shape), out)
end
