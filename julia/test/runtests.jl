# Tests of the Julia mirror (mirrors go/sckernels/*_test.go). Run from julia/:
#
#     julia --project=. test/runtests.jl        (or: julia --project=. -e 'using Pkg; Pkg.test()')

using Test

include(joinpath(@__DIR__, "..", "src", "SCKernels.jl"))
using .SCKernels

# parity/golden of the repository; the PARITY_GOLDEN_DIR environment variable points elsewhere.
const GOLDEN_DIR = get(ENV, "PARITY_GOLDEN_DIR", normpath(joinpath(@__DIR__, "..", "..", "parity", "golden")))

# --- independent, bit-by-bit definitions (docs/design.md#encoder), not the kernels ---------

"""Round-half-even of `p * 65536` written out by hand, clipped to [0, 65536]."""
function naive_threshold(p::Float64)
    y = p * 65536
    f = floor(y)
    x = Int(f)
    frac = y - f
    if frac > 0.5 || (frac == 0.5 && isodd(x))
        x += 1
    end
    return clamp(x, 0, 65536)
end

"""The encoder of docs/design.md#encoder, one bit at a time, unpacked (input index `i` is 0-based)."""
function naive_stream(p::Float64, i::Int, len::Int, seed::Int)
    x = naive_threshold(p)
    r = mod(seed + i, 65536)
    r == 0 && (r = 1)
    out = zeros(UInt8, len)
    for t in 1:len
        out[t] = r < x ? 0x01 : 0x00
        fb = xor(xor(xor(r >> 15, r >> 13), r >> 12), r >> 10) & 1
        r = ((r << 1) | fb) & 0xFFFF
    end
    return out
end

"""The SC forward pass bit by bit, flat C-order weights `(n_out, n_in, W)`."""
function naive_forward(weights::Vector{UInt64}, n_out::Int, n_in::Int, probs::Vector{Float64},
                       len::Int, seed::Int)
    n_words = cld(len, 64)
    batch = div(length(probs), n_in)
    out = zeros(Float64, batch * n_out)
    for b in 0:batch-1
        streams = [naive_stream(probs[b * n_in + i + 1], i, len, seed) for i in 0:n_in-1]
        for o in 0:n_out-1
            count = 0
            for i in 0:n_in-1, t in 0:len-1
                word = weights[(o * n_in + i) * n_words + div(t, 64) + 1]
                wbit = Int((word >> (t % 64)) & 1)
                count += wbit * Int(streams[i + 1][t + 1])
            end
            out[b * n_out + o + 1] = count / len
        end
    end
    return out
end


is_invalid(f) = try
    f()
    false
catch e
    e isa ValidationError || rethrow()
    true
end

# --- golden-file checking ----------------------------------------------------

"""The lif_step tolerance of FORMAT.md: 1e-12 relative, 1e-12 absolute near 0."""
function close_enough(got::Float64, want::Float64)
    reinterpret(UInt64, got) == reinterpret(UInt64, want) && return true
    diff = abs(got - want)
    return diff <= 1e-12 || diff <= 1e-12 * max(abs(got), abs(want))
end

"""`""` when `got` equals `want` (bit for bit, or within the lif_step tolerance)."""
function compare_field(kernel::AbstractString, got::Field, want::Field)
    if got.name != want.name || got.dtype != want.dtype
        return "output $(got.name) $(got.dtype), want $(want.name) $(want.dtype)"
    end
    got.shape == want.shape || return "$(got.name) shape $(got.shape), want $(want.shape)"
    want.err === nothing || return "expected $(want.name) is unreadable: $(want.err)"
    if want.dtype == "f64"
        for k in 1:length(want.f64)
            g, w = got.f64[k], want.f64[k]
            same = kernel == "lif_step" ? close_enough(g, w) : reinterpret(UInt64, g) == reinterpret(UInt64, w)
            same || return "$(got.name)[$(k - 1)] = $g, want $w"
        end
        return ""
    end
    g, w = want.dtype == "u64" ? (got.u64, want.u64) :
           want.dtype == "i64" ? (got.i64, want.i64) : (got.u8, want.u8)
    for k in 1:length(w)
        g[k] == w[k] || return "$(got.name)[$(k - 1)] = $(g[k]), want $(w[k])"
    end
    return ""
end

"""Run every case of a golden file; return (number of cases, problems)."""
function check_golden_file(path::AbstractString)
    g = try
        read_golden_file(path)
    catch e
        return 0, ["$path: $(sprint(showerror, e))"]
    end
    problems = String[]
    report(c, msg) = push!(problems, "$(basename(path)) case $(c.id) ($(c.comment)): $msg")
    for c in g.cases
        outputs = nothing
        refused = nothing
        try
            outputs = run_kernel(g.kernel, c.inputs)
        catch e
            e isa ValidationError || rethrow()
            refused = e.msg
        end
        if c.result == "invalid"
            refused === nothing && report(c, "invalid case was answered")
        elseif c.result == "valid"
            if refused !== nothing
                report(c, "valid case refused: $refused")
                continue
            end
            outputs = order_like(outputs, c.outputs)
            if length(outputs) != length(c.outputs)
                report(c, "$(length(outputs)) outputs, want $(length(c.outputs))")
                continue
            end
            for k in 1:length(outputs)
                msg = compare_field(g.kernel, outputs[k], c.outputs[k])
                isempty(msg) || report(c, msg)
            end
        else
            report(c, "result line missing")
        end
    end
    return length(g.cases), problems
end

"""A small golden file whose expected outputs come from `naive_forward`."""
function write_golden(dir::AbstractString; tamper::Bool = false)
    path = joinpath(dir, tamper ? "tampered.txt" : "sc_forward.txt")
    weights = UInt64[0x0123456789ABCDEF, typemax(UInt64), 0xF0F0F0F0F0F0F0F0, 0x5555, 7, UInt64(1) << 63]
    probs = [0.0, 1.0, 0.3]
    want = naive_forward(weights, 2, 3, probs, 40, 65535)
    tamper && (want[2] = nextfloat(want[2]))
    open(path, "w") do io
        println(io, "# small file written by the Julia tests\n\nkernel sc_forward")
        println(io, "case 3\ncomment seed 65535 wraps to 0 for input 1\nresult valid")
        for f in (Field("weights", "u64", [2, 3, 1], weights, Int64[], UInt8[], Float64[], nothing),
                  Field("probs", "f64", [3], UInt64[], Int64[], UInt8[], probs, nothing),
                  Field("length", "i64", Int[], UInt64[], Int64[40], UInt8[], Float64[], nothing),
                  Field("seed", "i64", Int[], UInt64[], Int64[65535], UInt8[], Float64[], nothing))
            format_field(io, "in", f)
            println(io)
        end
        format_field(io, "out", Field("out", "f64", [2], UInt64[], Int64[], UInt8[], want, nothing))
        println(io, "\nend")
        println(io, "case 4\ncomment NaN probability\nresult invalid")
        println(io, "in weights u64 3 1 1 1 : 5\nin probs f64 1 1 : 7ff8000000000000")
        println(io, "in length i64 0 : 10\nin seed i64 0 : 44257\nend")
        println(io, "case 7\ncomment f64 weights\nresult invalid")
        println(io, "in weights f64 3 1 1 1 : 3ff0000000000000\nin probs f64 1 1 : 3fe0000000000000")
        println(io, "in length i64 0 : 10\nin seed i64 0 : 44257\nend")
    end
    return path
end

# --- tests ---------------------------------------------------------------------

@testset "SCKernels" begin

@testset "LFSR table is one full cycle" begin
    seq, pos = lfsr_tables()
    seen = falses(65536)
    ok = true
    for k in 0:PERIOD-1
        s = seq[k + 1]
        if s == 0 || s > 0xFFFF || seen[s + 1] || pos[s + 1] != k ||
           lfsr_next(s) != seq[mod(k + 1, PERIOD) + 1]
            ok = false
            break
        end
        seen[s + 1] = true
    end
    @test ok
    @test count(seen) == PERIOD
end

@testset "quantize rounds half to even" begin
    for p in (0.0, 1.0, 0.5, 0.5 / 65536, 1.5 / 65536, 2.5 / 65536, 3.5 / 65536,
              1 - 0.5 / 65536, 1 - 1.5 / 65536, 0.1, 1 / 3, nextfloat(0.0), prevfloat(1.0))
        @test Int(quantize(p)) == naive_threshold(p)
    end
end

@testset "encode matches the bit-by-bit definition" begin
    rng = SplitMix64(7)
    probs = [0.0, 1.0, 0.5, 0.25, 1 / 3, 0.5 / 65536, 1.5 / 65536, 1 - 0.5 / 65536, 2.5 / 65536, 1e-9]
    append!(probs, [next_f64!(rng) for _ in 1:6])
    n = div(length(probs), 2)
    mismatches = 0
    seeds = (0, 1, DEFAULT_SEED, 65535, 65530, 65536, 2^32 - 1, 2^32 - 3)
    lengths = (1, 63, 64, 65, 100, 128, 300, 65536 + 70)
    for seed in seeds
        for len in lengths
            got = encode(NDArray{Float64}([2, n], probs), len, seed)
            n_words = cld(len, 64)
            @test got.shape == [2, n, n_words]
            for j in 0:length(probs)-1
                stream = naive_stream(probs[j + 1], mod(j, n), len, seed)
                for t in 0:n_words*64-1
                    bit = (got.data[j * n_words + div(t, 64) + 1] >> (t % 64)) & 1
                    want = t < len ? stream[t + 1] : 0x00
                    bit == want || (mismatches += 1)
                end
            end
        end
    end
    @test mismatches == 0
end

@testset "encode rows are encoded independently" begin
    row = [0.2, 0.7, 0.9]
    one = encode(NDArray{Float64}([3], row), 200, 65534)
    two = encode(NDArray{Float64}([2, 3], vcat(row, row)), 200, 65534)
    @test two.data == vcat(one.data, one.data)
end

@testset "pack/unpack round trip" begin
    rng = SplitMix64(3)
    for shape in ([0], [1], [63], [64], [65], [130], [3, 0], [3, 70], [0, 5], [4, 128])
        n = prod(shape)
        data = UInt8[next_u64!(rng) & 1 for _ in 1:n]
        packed = pack(NDArray{UInt8}(shape, data))
        last = shape[end]
        rows = length(shape) == 2 ? shape[1] : 1
        n_words = cld(last, 64)
        @test packed.shape == vcat(shape[1:end-1], [n_words])
        # Bits past N in each row's last word are zero.
        for row in 0:rows-1
            total = sum(count_ones, packed.data[row*n_words+1:(row+1)*n_words]; init = 0)
            @test total == sum(Int, data[row*last+1:(row+1)*last]; init = 0)
        end
        back = unpack(packed, last)
        @test back.shape == shape
        @test back.data == data
    end
end

@testset "pack bit order is least-significant first" begin
    data = zeros(UInt8, 70)
    for t in (0, 5, 63, 64, 69)
        data[t + 1] = 0x01
    end
    packed = pack(NDArray{UInt8}([70], data))
    @test packed.data[1] == UInt64(1) | (UInt64(1) << 5) | (UInt64(1) << 63)
    @test packed.data[2] == UInt64(1) | (UInt64(1) << 5)
end

@testset "vector ops word by word" begin
    rng = SplitMix64(11)
    mk() = NDArray{UInt64}([3, 5], UInt64[next_u64!(rng) for _ in 1:15])
    sel, a, b = mk(), mk(), mk()
    and_ = vec_and(a, b)
    xnor_ = vec_xnor(a, b)
    not_ = vec_not(a)
    mux_ = vec_mux(sel, a, b)
    pc = popcount(a)
    bad = 0
    for k in 1:15, bit in 0:63
        s, x, y = (sel.data[k] >> bit) & 1, (a.data[k] >> bit) & 1, (b.data[k] >> bit) & 1
        eq = x == y ? UInt64(1) : UInt64(0)
        m = s == 1 ? x : y
        if (and_.data[k] >> bit) & 1 != x * y || (xnor_.data[k] >> bit) & 1 != eq ||
           (not_.data[k] >> bit) & 1 != 1 - x || (mux_.data[k] >> bit) & 1 != m
            bad += 1
        end
    end
    @test bad == 0
    @test pc.data == UInt64[sum(bit -> (w >> bit) & 1, 0:63) for w in a.data]
    @test pc.shape == [3, 5]
end

@testset "sc_forward matches the naive loop" begin
    rng = SplitMix64(5)
    for (n_out, n_in, batch, len, seed, batched) in (
            (1, 1, 1, 1, 0, false), (3, 4, 1, 100, 65535, false), (5, 7, 3, 64, DEFAULT_SEED, true),
            (37, 9, 2, 200, 2^32 - 2, true), (70, 13, 1, 130, 12345, false), (2, 3, 0, 10, 1, true),
            (64, 40, 2, 1000, 99, true))  # large enough for several threads
        n_words = cld(len, 64)
        # Random words include bits past len, which must not count.
        w = UInt64[next_u64!(rng) for _ in 1:n_out*n_in*n_words]
        probs = Float64[next_f64!(rng) for _ in 1:batch*n_in]
        if length(probs) > 1
            probs[1], probs[2] = 0.0, 1.0
        end
        pshape = batched ? [batch, n_in] : [n_in]
        got = sc_forward(NDArray{UInt64}([n_out, n_in, n_words], w), NDArray{Float64}(pshape, probs), len, seed)
        want = naive_forward(w, n_out, n_in, probs, len, seed)
        @test reinterpret(UInt64, got.data) == reinterpret(UInt64, want)
        @test got.shape == (batched ? [batch, n_out] : [n_out])
    end
end

@testset "lif_step operation order" begin
    v = [0.0, 0.5, 0.95, -0.3, 2.0]
    i_t = [0.1, 0.3, 0.2, 0.0, -1.0]
    noise = [0.0, 0.01, -0.02, 0.001, 0.0]
    p = LifParams(-0.1, -0.2, 1.0, 0.1, 1.5)
    v_out, spikes = lif_step(NDArray{Float64}([5], v), NDArray{Float64}([5], i_t),
                             NDArray{Float64}([5], noise), p)
    for k in 1:5
        a = v[k] + (p.v_rest - v[k]) * p.alpha
        b = i_t[k] * p.resistance
        want = a + b + noise[k]
        spike = want >= p.v_threshold ? 0x01 : 0x00
        spike == 0x01 && (want = p.v_reset)
        @test v_out.data[k] === want
        @test spikes.data[k] == spike
    end
    # The data is chosen so that both branches run.
    @test spikes.data[3] == 0x01 && spikes.data[1] == 0x00
end

@testset "validation rejects every invalid class" begin
    f(shape, data...) = NDArray{Float64}(collect(Int, shape), Float64[data...])
    u(shape, data...) = NDArray{UInt64}(collect(Int, shape), UInt64[data...])
    b(shape, data...) = NDArray{UInt8}(collect(Int, shape), UInt8[data...])
    w1 = u((1, 1, 1), 5)
    p1 = f((1,), 0.5)
    lp(alpha; th = 1.0) = LifParams(0.0, 0.0, th, alpha, 1.0)
    checks = [
        "weights rank 2" => () -> sc_forward(u((1, 1), 5), p1, 10, 1),
        "probs rank 3" => () -> sc_forward(w1, f((1, 1, 1), 0.5), 10, 1),
        "probs rank 0" => () -> sc_forward(w1, f((), 0.5), 10, 1),
        "wrong n_words" => () -> sc_forward(w1, p1, 65, 1),
        "n_in mismatch" => () -> sc_forward(w1, f((2,), 0.5, 0.5), 10, 1),
        "NaN prob" => () -> sc_forward(w1, f((1,), NaN), 10, 1),
        "+inf prob" => () -> sc_forward(w1, f((1,), Inf), 10, 1),
        "-inf prob" => () -> sc_forward(w1, f((1,), -Inf), 10, 1),
        "negative prob" => () -> sc_forward(w1, f((1,), -1e-300), 10, 1),
        "prob above one" => () -> sc_forward(w1, f((1,), nextfloat(1.0)), 10, 1),
        "length 0" => () -> sc_forward(u((1, 1, 0)), p1, 0, 1),
        "length negative" => () -> sc_forward(w1, p1, -5, 1),
        "seed negative" => () -> sc_forward(w1, p1, 10, -1),
        "seed 2^32" => () -> sc_forward(w1, p1, 10, 2^32),
        "data/shape mismatch" => () -> sc_forward(u((1, 1, 1), 5, 6), p1, 10, 1),
        "encode NaN" => () -> encode(f((1,), NaN), 10, 1),
        "encode rank 0" => () -> encode(f((), 0.5), 10, 1),
        "encode length 0" => () -> encode(p1, 0, 1),
        "encode seed 2^32" => () -> encode(p1, 10, 2^32),
        "pack non-binary" => () -> pack(b((3,), 0, 2, 1)),
        "pack rank 3" => () -> pack(b((1, 1, 1), 1)),
        "pack rank 0" => () -> pack(b((), 1)),
        "unpack n_bits < 0" => () -> unpack(u((1,), 1), -1),
        "unpack n_bits too big" => () -> unpack(u((1,), 1), 65),
        "unpack rank 3" => () -> unpack(u((1, 1, 1), 1), 1),
        "and shapes" => () -> vec_and(u((2,), 1, 2), u((1,), 1)),
        "xnor shapes" => () -> vec_xnor(u((2,), 1, 2), u((2, 1), 1, 2)),
        "mux shapes" => () -> vec_mux(u((1,), 1), u((1,), 1), u((2,), 1, 2)),
        "popcount data/shape" => () -> popcount(u((3,), 1)),
        "not data/shape" => () -> vec_not(u((2,), 1)),
        "lif shapes" => () -> lif_step(f((2,), 0, 0), f((1,), 0), f((2,), 0, 0), lp(0.1)),
        "lif NaN v" => () -> lif_step(f((1,), NaN), f((1,), 0), f((1,), 0), lp(0.1)),
        "lif inf noise" => () -> lif_step(f((1,), 0), f((1,), 0), f((1,), Inf), lp(0.1)),
        "lif alpha 0" => () -> lif_step(f((1,), 0), f((1,), 0), f((1,), 0), lp(0.0)),
        "lif alpha < 0" => () -> lif_step(f((1,), 0), f((1,), 0), f((1,), 0), lp(-0.5)),
        "lif NaN threshold" => () -> lif_step(f((1,), 0), f((1,), 0), f((1,), 0), lp(0.1; th = NaN)),
    ]
    for (name, check) in checks
        @test is_invalid(check)
    end
end

@testset "run_kernel rejects wrong dtype and rank" begin
    good() = [Field("weights", "u64", [1, 1, 1], UInt64[5], Int64[], UInt8[], Float64[], nothing),
              Field("probs", "f64", [1], UInt64[], Int64[], UInt8[], [0.5], nothing),
              Field("length", "i64", Int[], UInt64[], Int64[10], UInt8[], Float64[], nothing),
              Field("seed", "i64", Int[], UInt64[], Int64[44257], UInt8[], Float64[], nothing)]
    @test length(run_kernel("sc_forward", good())) == 1
    function mutated(k, fn)
        c = good()
        fn(c[k])
        return c
    end
    bad = [mutated(1, x -> (x.dtype = "f64"; x.f64 = [5.0])),
           mutated(2, x -> (x.dtype = "u64"; x.u64 = UInt64[0])),
           mutated(3, x -> (x.shape = [1])),
           mutated(4, x -> (x.dtype = "f64"; x.f64 = [1.0])),
           good()[1:3],
           mutated(2, x -> (x.err = "bad value"))]
    for inputs in bad
        @test is_invalid(() -> run_kernel("sc_forward", inputs))
    end
    @test_throws UnknownKernelError run_kernel("no_such_kernel", good())
end

@testset "golden reader and checker on a small file" begin
    dir = mktempdir()
    path = write_golden(dir)
    g = read_golden_file(path)
    @test g.kernel == "sc_forward"
    @test length(g.cases) == 3
    c = g.cases[1]
    @test c.id == 3 && c.result == "valid" && length(c.inputs) == 4 && length(c.outputs) == 1
    @test c.comment == "seed 65535 wraps to 0 for input 1"
    @test c.inputs[1].u64[6] == UInt64(1) << 63
    @test c.inputs[2].f64[3] == 0.3
    @test isempty(c.inputs[3].shape)
    @test isnan(g.cases[2].inputs[2].f64[1]) && g.cases[2].result == "invalid"
    n, problems = check_golden_file(path)
    @test n == 3
    @test isempty(problems)
    # A wrong expected value must be reported.
    _, problems = check_golden_file(write_golden(dir; tamper = true))
    @test length(problems) == 1
end

@testset "golden reader rejects broken files" begin
    for text in ("kernel not\ncase 1\nresult valid\nin a u64 1 1 : 5\n",  # unclosed case
                 "case 1\nresult invalid\nend\n",                          # no kernel
                 "kernel not\ncase -2\nend\n",                             # bad id
                 "kernel not\ncase 1\nend\ncase 1\nend\n",                 # duplicate id
                 "kernel not\ncase 1\nin a u64 2 1 : 5\nend\n",            # ndim mismatch
                 "kernel not\ncase 1\nfoo bar\nend\n")                     # unknown keyword
        @test_throws ErrorException read_golden(IOBuffer(text))
    end
    # Bad values are kept per field, so the case is refused, not the file.
    g = read_golden(IOBuffer("kernel pack\ncase 1\nresult invalid\nin bits u8 1 3 : 0 1 256\nend\n" *
                             "case 2\nresult invalid\nin bits u8 1 3 : 0 1\nend\n"))
    for c in g.cases
        @test c.inputs[1].err !== nothing
        @test is_invalid(() -> run_kernel("pack", c.inputs))
    end
    # Long lines are read whole.
    long = repeat(" 18446744073709551615", 50000)
    g = read_golden(IOBuffer("kernel not\ncase 1\nresult valid\nin a u64 1 50000 :" * long * "\nend"))
    @test length(g.cases[1].inputs[1].u64) == 50000
    @test g.cases[1].inputs[1].err === nothing
end

@testset "golden vectors (parity/golden)" begin
    # Fails, never skips, when the folder or a kernel's file is missing. Only
    # the kernels' files: the safety-mirror files in the same folder
    # (splitmix.txt, ...) are checked by pytest and rust/mirror.
    @test isdir(GOLDEN_DIR)
    files = [joinpath(GOLDEN_DIR, k * ".txt") for k in KERNELS]
    for path in files
        @test isfile(path)
    end
    for path in filter(isfile, files)
        n, problems = check_golden_file(path)
        for p in problems
            println(stderr, p)
        end
        @test n > 0
        @test isempty(problems)
    end
end

end # testset SCKernels
