"""
    SCKernels

Julia research mirror of `sc_neurocore.accel`: the packed stochastic-computing
kernels of docs/design.md (encoder to spike order), written with Base only and checked bit for bit
against the golden vectors in `parity/golden` (see `parity/FORMAT.md`).

Every kernel validates its arguments and throws a [`ValidationError`](@ref)
for any input the NumPy reference rejects; it never returns an answer for one.

The code follows the Go mirror (`go/sckernels`) file by file and function by
function (`ScForward` there is `sc_forward` here). Arrays are flat vectors in
C (row-major) order with an explicit shape, as in the golden files, and all
index arithmetic is written out with 0-based offsets plus 1.
"""
module SCKernels

export NDArray, ValidationError, UnknownKernelError, LifParams, Field, Case, GoldenFile,
       KERNELS, WORD_BITS, PERIOD, DEFAULT_SEED,
       n_words_for, shape_size, lfsr_next, lfsr_tables, quantize, start_state,
       pack, unpack, popcount, vec_and, vec_xnor, vec_not, vec_mux,
       encode, sc_forward, lif_step,
       read_golden, read_golden_file, format_field, run_kernel, order_like,
       SplitMix64, next_u64!, next_f64!

include("array.jl")
include("lfsr.jl")
include("vector.jl")
include("forward.jl")
include("lif.jl")
include("golden.jl")
include("dispatch.jl")
include("splitmix.jl")

end # module SCKernels
