# SC inference, docs/design.md#forward-pass (mirrors go/sckernels/forward.go).

"""
    sc_forward(weights, probs, len, seed) -> NDArray{Float64}

`out[b, o] = sum_{i,w} popcount(weights[o, i, w] & X[b, i, w]) / len`, where
`X` are the LFSR-encoded inputs. `weights` is `(n_out, n_in, W)` with
`W = ceil(len / 64)`; `probs` is `(n_in,)` (result `(n_out,)`) or
`(B, n_in)` (result `(B, n_out)`).
"""
function sc_forward(weights::NDArray{UInt64}, probs::NDArray{Float64}, len::Integer, seed::Integer)
    len, seed = Int64(len), Int64(seed)
    check_length(len)
    check_seed(seed)
    check_array("weights", weights, 3)
    check_array("probs", probs, 1, 2)
    check_probabilities("probs", probs.data)
    n_out, n_in, n_words = weights.shape[1], weights.shape[2], weights.shape[3]
    if n_words != n_words_for(len)
        invalid("weights must have shape (n_out, n_in, n_words) with n_words = " *
                "ceil(length / 64) = $(n_words_for(len)), got shape $(weights.shape)")
    end
    if probs.shape[end] != n_in
        invalid("probs must have n_in = $n_in values per row to match weights " *
                "$(weights.shape), got shape $(probs.shape)")
    end
    batched = length(probs.shape) == 2
    batch = batched ? probs.shape[1] : 1
    out_shape = batched ? [batch, n_out] : [n_out]
    row_len = n_in * n_words
    inputs = zeros(UInt64, batch * row_len)
    if n_in > 0
        encode_rows!(inputs, probs.data, n_in, Int(len), seed)
    end
    counts = zeros(UInt64, batch * n_out)
    forward_counts!(counts, weights.data, inputs, n_out, row_len, batch)
    # The single division every backend performs: Float64(count) / Float64(length).
    out = Float64[Float64(c) / Float64(len) for c in counts]
    return NDArray{Float64}(out_shape, out)
end

"""`sum_k popcount(w[w_off + k] & x[x_off + k])` for `k = 1..n`."""
function and_popcount(w::Vector{UInt64}, w_off::Int, x::Vector{UInt64}, x_off::Int, n::Int)
    checkbounds(w, w_off+1:w_off+n)
    checkbounds(x, x_off+1:x_off+n)
    c = 0
    @inbounds for k in 1:n
        c += count_ones(w[w_off + k] & x[x_off + k])
    end
    return UInt64(c)
end

"""
    forward_counts!(counts, weights, inputs, n_out, row_len, batch)

`counts[b * n_out + o + 1]` = AND-popcount of weight row `o` and input row
`b` (0-based). Output rows are shared across threads; each keeps its weight
row in cache for the whole batch.
"""
function forward_counts!(counts::Vector{UInt64}, weights::Vector{UInt64}, inputs::Vector{UInt64},
                         n_out::Int, row_len::Int, batch::Int)
    Threads.@threads for o in 0:n_out-1
        for b in 0:batch-1
            counts[b * n_out + o + 1] = and_popcount(weights, o * row_len, inputs, b * row_len, row_len)
        end
    end
    return nothing
end
