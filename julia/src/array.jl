# Flat C-order arrays, the validation error and the shared argument checks
# (mirrors go/sckernels/array.go).

"""Number of stream bits held by one packed `UInt64` word."""
const WORD_BITS = 64

"""
    NDArray{T}(shape, data)

A flat C-order (row-major) array with an explicit shape. A 0-D array
(scalar) has an empty shape and one element.
"""
struct NDArray{T}
    shape::Vector{Int}
    data::Vector{T}
end

"""An argument that breaks the contract; the kernels throw it instead of answering."""
struct ValidationError <: Exception
    msg::String
end

Base.showerror(io::IO, e::ValidationError) = print(io, e.msg)

invalid(msg::AbstractString) = throw(ValidationError(String(msg)))

"""`ceil(n_bits / 64)` for `n_bits >= 0`."""
n_words_for(n_bits::Integer) = cld(n_bits, WORD_BITS)

"""
    shape_size(shape)

Number of elements a shape holds; throws a `ValidationError` when a
dimension is negative or the product does not fit in an `Int`.
"""
function shape_size(shape::Vector{Int})
    n = 1
    for d in shape
        d < 0 && invalid("negative dimension in shape $(shape)")
        if d != 0 && n > div(typemax(Int), d)
            invalid("shape $(shape) is too large")
        end
        n *= d
    end
    return n
end

"""
    check_array(name, a, ranks...)

Check that `a`'s data length matches its shape and that its rank is one of
`ranks` (any rank when none is given).
"""
function check_array(name::AbstractString, a::NDArray, ranks::Int...)
    n = shape_size(a.shape)
    if length(a.data) != n
        invalid("$name has $(length(a.data)) values but shape $(a.shape) needs $n")
    end
    if !isempty(ranks) && !(length(a.shape) in ranks)
        invalid("$name must have rank in $(collect(ranks)), got shape $(a.shape)")
    end
    return nothing
end

function same_shape(name_a::AbstractString, a::Vector{Int}, name_b::AbstractString, b::Vector{Int})
    if a != b
        invalid("$name_a and $name_b must have the same shape, got $a and $b")
    end
    return nothing
end

"""A copy of `shape` with its last dimension replaced by `last`."""
function with_last(shape::Vector{Int}, last::Int)
    out = copy(shape)
    out[end] = last
    return out
end

"""Validate a stream length (a positive integer)."""
function check_length(len::Int64)
    len <= 0 && invalid("length must be an int >= 1, got $len")
    return nothing
end

"""Validate an encoder seed (an integer in `[0, 2^32)`)."""
function check_seed(seed::Int64)
    if seed < 0 || seed >= 4294967296
        invalid("seed must be an int in [0, 4294967296), got $seed")
    end
    return nothing
end

"""
    check_values(name, p; in_unit_interval = false)

Check that every value is finite (and, with `in_unit_interval`, in `[0, 1]`);
the first value that is not names its flat index.
"""
function check_values(name::AbstractString, p::Vector{Float64}; in_unit_interval::Bool = false)
    for (k, x) in enumerate(p)
        isfinite(x) || invalid("$name must be finite, got $x at flat index $(k - 1)")
        if in_unit_interval && (x < 0 || x > 1)
            invalid("$name must be in [0, 1], got $x at flat index $(k - 1)")
        end
    end
    return nothing
end

"""Check that every value is finite and in `[0, 1]`."""
check_probabilities(name::AbstractString, p::Vector{Float64}) =
    check_values(name, p; in_unit_interval = true)

"""Check that every value is finite."""
check_finite(name::AbstractString, p::Vector{Float64}) = check_values(name, p)
