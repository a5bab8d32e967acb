# The Julia mirror's side of the parity protocol (parity/FORMAT.md), run with
# the working directory julia/ (mirrors go/cmd/harness/main.go):
#
#     julia --project=. harness.jl run <kernel> <golden file>
#     julia --project=. harness.jl bench sc_forward <n_out> <n_in> <length> <reps>

include(joinpath(@__DIR__, "src", "SCKernels.jl"))
using .SCKernels

const USAGE = """
usage: julia --project=. harness.jl run <kernel> <golden file>
       julia --project=. harness.jl bench sc_forward <n_out> <n_in> <length> <reps>"""

"""Answer every case of a golden file, in file order."""
function run_cases(kernel::AbstractString, path::AbstractString)
    g = read_golden_file(path)
    if g.kernel != kernel
        error("$path holds kernel $(repr(g.kernel)), not $(repr(kernel))")
    end
    buf = IOBuffer()
    for c in g.cases
        outputs = nothing
        try
            outputs = run_kernel(kernel, c.inputs)
        catch e
            e isa ValidationError || rethrow()
            println(buf, "case ", c.id, " invalid ", join(split(e.msg), " "))
            continue
        end
        println(buf, "case ", c.id, " ok")
        for f in order_like(outputs, c.outputs)
            format_field(buf, "out", f)
            println(buf)
        end
    end
    write(stdout, take!(buf))
    flush(stdout)
    return nothing
end

"""
Time `sc_forward` on deterministic inputs: one warm-up, then `reps` timed
calls; print the median wall time and the output checksum.
"""
function bench(n_out::Int, n_in::Int, len::Int, reps::Int)
    n_words = n_words_for(len)
    rng = SplitMix64(UInt64(0x5C0DE))
    wdata = UInt64[next_u64!(rng) for _ in 1:n_out*n_in*n_words]
    pdata = Float64[next_f64!(rng) for _ in 1:n_in]
    weights = NDArray{UInt64}([n_out, n_in, n_words], wdata)
    probs = NDArray{Float64}([n_in], pdata)
    out = sc_forward(weights, probs, len, DEFAULT_SEED)
    times = zeros(Int64, reps)
    for r in 1:reps
        start = time_ns()
        out = sc_forward(weights, probs, len, DEFAULT_SEED)
        times[r] = Int64(time_ns() - start)
    end
    sort!(times)
    mid = div(reps, 2)
    median = iseven(reps) ? div(times[mid] + times[mid + 1], 2) : times[mid + 1]
    checksum = UInt64(0)
    for x in out.data
        checksum += reinterpret(UInt64, x)
    end
    println("median_ns ", median)
    println("checksum ", string(checksum; base = 10))
    return nothing
end

function main(args::Vector{String})
    if length(args) == 3 && args[1] == "run"
        run_cases(args[2], args[3])
        return 0
    end
    if length(args) == 6 && args[1] == "bench" && args[2] == "sc_forward"
        dims = [tryparse(Int, a; base = 10) for a in args[3:6]]
        if any(d -> d === nothing || d < 0, dims) || dims[3] < 1 || dims[4] < 1
            println(stderr, "harness: bad bench arguments\n", USAGE)
            return 1
        end
        bench(dims[1], dims[2], dims[3], dims[4])
        return 0
    end
    println(stderr, "harness: ", USAGE)
    return 1
end

exit(main(ARGS))
