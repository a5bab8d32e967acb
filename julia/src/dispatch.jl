# Maps a golden case to a kernel call (mirrors go/sckernels/dispatch.go).

"""The kernel names of the parity/FORMAT.md table."""
const KERNELS = ["pack", "unpack", "popcount", "and", "xnor", "not", "mux",
                 "encode", "sc_forward", "lif_step"]

"""Thrown by [`run_kernel`](@ref) for a kernel it does not know."""
struct UnknownKernelError <: Exception
    kernel::String
end

Base.showerror(io::IO, e::UnknownKernelError) = print(io, "unknown kernel ", repr(e.kernel))

"""The field called `name` after checking its dtype and values."""
function get_input(inputs::Vector{Field}, name::AbstractString, dtype::AbstractString)
    for f in inputs
        f.name == name || continue
        f.dtype == dtype || invalid("$name must have dtype $dtype, got $(f.dtype)")
        f.err === nothing || invalid("$name: $(f.err)")
        return f
    end
    invalid("missing input $name")
end

# A `Field` holds its values in the property named by its dtype (`f.u64`, `f.f64`, ...).

"""The named input of dtype `dtype` as an `NDArray`."""
function array_input(inputs::Vector{Field}, name::AbstractString, dtype::AbstractString)
    f = get_input(inputs, name, dtype)
    return NDArray(f.shape, getproperty(f, Symbol(dtype)))
end

u64_input(inputs::Vector{Field}, name::AbstractString) = array_input(inputs, name, "u64")
f64_input(inputs::Vector{Field}, name::AbstractString) = array_input(inputs, name, "f64")
u8_input(inputs::Vector{Field}, name::AbstractString) = array_input(inputs, name, "u8")

"""The one value of the named 0-D input of dtype `dtype`."""
function scalar_input(inputs::Vector{Field}, name::AbstractString, dtype::AbstractString)
    a = array_input(inputs, name, dtype)
    if !isempty(a.shape) || length(a.data) != 1
        invalid("$name must be a 0-D scalar, got shape $(a.shape)")
    end
    return a.data[1]
end

i64_scalar(inputs::Vector{Field}, name::AbstractString) = scalar_input(inputs, name, "i64")
f64_scalar(inputs::Vector{Field}, name::AbstractString) = scalar_input(inputs, name, "f64")

"""
    run_kernel(kernel, inputs) -> Vector{Field}

Run `kernel` on the named inputs of a golden case and return its outputs in
the order of the FORMAT.md table. Throws a `ValidationError` when the inputs
are invalid (wrong dtype, rank, shape or value) and an `UnknownKernelError`
for a kernel it does not implement.
"""
function run_kernel(kernel::AbstractString, inputs::Vector{Field})
    if kernel == "pack"
        packed = pack(u8_input(inputs, "bits"))
        return [u64_field("packed", packed)]
    elseif kernel == "unpack"
        packed = u64_input(inputs, "packed")
        n_bits = i64_scalar(inputs, "n_bits")
        return [u8_field("bits", unpack(packed, n_bits))]
    elseif kernel == "popcount"
        return [u64_field("counts", popcount(u64_input(inputs, "a")))]
    elseif kernel == "and" || kernel == "xnor"
        a = u64_input(inputs, "a")
        b = u64_input(inputs, "b")
        out = kernel == "and" ? vec_and(a, b) : vec_xnor(a, b)
        return [u64_field("out", out)]
    elseif kernel == "not"
        return [u64_field("out", vec_not(u64_input(inputs, "a")))]
    elseif kernel == "mux"
        sel = u64_input(inputs, "sel")
        a = u64_input(inputs, "a")
        b = u64_input(inputs, "b")
        return [u64_field("out", vec_mux(sel, a, b))]
    elseif kernel == "encode"
        probs = f64_input(inputs, "probs")
        len = i64_scalar(inputs, "length")
        seed = i64_scalar(inputs, "seed")
        return [u64_field("packed", encode(probs, len, seed))]
    elseif kernel == "sc_forward"
        weights = u64_input(inputs, "weights")
        probs = f64_input(inputs, "probs")
        len = i64_scalar(inputs, "length")
        seed = i64_scalar(inputs, "seed")
        return [f64_field("out", sc_forward(weights, probs, len, seed))]
    elseif kernel == "lif_step"
        v = f64_input(inputs, "v")
        i_t = f64_input(inputs, "i_t")
        noise = f64_input(inputs, "noise")
        p = LifParams(f64_scalar(inputs, "v_rest"), f64_scalar(inputs, "v_reset"),
                      f64_scalar(inputs, "v_threshold"), f64_scalar(inputs, "alpha"),
                      f64_scalar(inputs, "resistance"))
        v_out, spikes = lif_step(v, i_t, noise, p)
        return [f64_field("v", v_out), u8_field("spike", spikes)]
    end
    throw(UnknownKernelError(String(kernel)))
end

"""
    order_like(outputs, expected)

Reorder `outputs` to follow the names of `expected` (the golden file's `out`
lines) when both name the same set; otherwise return `outputs` unchanged.
"""
function order_like(outputs::Vector{Field}, expected::Vector{Field})
    length(outputs) == length(expected) || return outputs
    ordered = Field[]
    for e in expected
        k = findfirst(o -> o.name == e.name, outputs)
        k === nothing && return outputs
        push!(ordered, outputs[k])
    end
    return ordered
end
