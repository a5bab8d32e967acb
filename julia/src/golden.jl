# Reader and writer of the golden-vector exchange format v1 of parity/FORMAT.md
# (mirrors go/sckernels/golden.go).

"""
One `in` or `out` line of a golden file: a named, typed array. Exactly one
of `u64`, `i64`, `u8`, `f64` is filled, according to `dtype`. When the values
cannot be read as `dtype` (unknown dtype, value out of range, wrong count)
`err` says why and the case cannot be answered.
"""
mutable struct Field
    name::String
    dtype::String
    shape::Vector{Int}
    u64::Vector{UInt64}
    i64::Vector{Int64}
    u8::Vector{UInt8}
    f64::Vector{Float64}
    err::Union{Nothing,String}
end

Field(name::AbstractString, dtype::AbstractString, shape::Vector{Int}) =
    Field(String(name), String(dtype), shape, UInt64[], Int64[], UInt8[], Float64[], nothing)

u64_field(name, a::NDArray{UInt64}) = Field(name, "u64", a.shape, a.data, Int64[], UInt8[], Float64[], nothing)
u8_field(name, a::NDArray{UInt8}) = Field(name, "u8", a.shape, UInt64[], Int64[], a.data, Float64[], nothing)
f64_field(name, a::NDArray{Float64}) = Field(name, "f64", a.shape, UInt64[], Int64[], UInt8[], a.data, nothing)

"""One `case ... end` block."""
mutable struct Case
    id::Int64
    comment::String
    result::String  # "valid" or "invalid"
    flags::Vector{String}  # why an invalid case is invalid (its `flags` line); never changes an answer
    inputs::Vector{Field}
    outputs::Vector{Field}
end

"""A parsed `parity/golden/<kernel>.txt`."""
struct GoldenFile
    kernel::String
    cases::Vector{Case}
end

golden_error(line_no::Int, msg::AbstractString) = error("line $line_no: $msg")

"""
    read_golden_file(path) -> GoldenFile

Parse the golden file at `path`; see [`read_golden`](@ref).
"""
read_golden_file(path::AbstractString) = open(read_golden, path)

"""
    read_golden(io) -> GoldenFile

Parse a golden file. `eachline` reads whole lines of any length. Errors in
the file's structure throw an `ErrorException`; values that cannot be read
as their dtype are recorded in the field's `err` instead.
"""
function read_golden(io::IO)
    kernel = ""
    cases = Case[]
    cur = nothing
    seen = Set{Int64}()
    line_no = 0
    for raw in eachline(io)
        line_no += 1
        line = strip(raw)
        if isempty(line) || startswith(line, "#")
            continue
        end
        parts = split(line, ' '; limit = 2)
        keyword = parts[1]
        rest = length(parts) == 2 ? String(strip(parts[2])) : ""
        if keyword == "kernel"
            if cur !== nothing || isempty(rest)
                golden_error(line_no, "misplaced or empty kernel line")
            end
            kernel = rest
        elseif keyword == "case"
            cur === nothing || golden_error(line_no, "case $rest starts before the previous case ended")
            id = tryparse(Int64, rest; base = 10)
            if id === nothing || id <= 0
                golden_error(line_no, "case id must be a positive integer, got $(repr(rest))")
            end
            id in seen && golden_error(line_no, "duplicate case id $id")
            push!(seen, id)
            cur = Case(id, "", "", String[], Field[], Field[])
        elseif keyword == "comment"
            cur === nothing && golden_error(line_no, "comment outside a case")
            cur.comment = rest
        elseif keyword == "result"
            if cur === nothing || !(rest == "valid" || rest == "invalid")
                golden_error(line_no, "bad result line $(repr(line))")
            end
            cur.result = rest
        elseif keyword == "flags"
            cur === nothing && golden_error(line_no, "flags outside a case")
            cur.flags = String.(split(rest))
        elseif keyword == "in" || keyword == "out"
            cur === nothing && golden_error(line_no, "$keyword line outside a case")
            field = parse_field(rest, line_no)
            if keyword == "in"
                push!(cur.inputs, field)
            else
                push!(cur.outputs, field)
            end
        elseif keyword == "end"
            cur === nothing && golden_error(line_no, "end outside a case")
            push!(cases, cur)
            cur = nothing
        else
            golden_error(line_no, "unknown keyword $(repr(keyword))")
        end
    end
    cur === nothing || error("case $(cur.id) is not closed by end")
    isempty(kernel) && error("no kernel line")
    return GoldenFile(kernel, cases)
end

"""Read `<name> <dtype> <ndim> <dims...> : <values...>`."""
function parse_field(s::AbstractString, line_no::Int)
    tokens = split(s)
    colon = findfirst(==(":"), tokens)
    if colon === nothing || colon < 4
        golden_error(line_no, "array line needs `<name> <dtype> <ndim> <dims> : <values>`")
    end
    name, dtype = String(tokens[1]), String(tokens[2])
    ndim = tryparse(Int, tokens[3]; base = 10)
    if ndim === nothing || ndim < 0 || colon != 4 + ndim
        golden_error(line_no, "array $name: ndim $(tokens[3]) does not match its $(colon - 4) dims")
    end
    shape = zeros(Int, ndim)
    for k in 1:ndim
        d = tryparse(Int, tokens[3 + k]; base = 10)
        if d === nothing || d < 0
            golden_error(line_no, "array $name: bad dimension $(tokens[3 + k])")
        end
        shape[k] = d
    end
    f = Field(name, dtype, shape)
    values = tokens[colon+1:end]
    n = 0
    try
        n = shape_size(shape)
    catch e
        e isa ValidationError || rethrow()
        f.err = e.msg
        return f
    end
    if length(values) != n
        f.err = "$name has $(length(values)) values, shape $shape needs $n"
        return f
    end
    f.err = parse_values!(f, values)
    return f
end

"""A golden `f64` token (the 16 hex digits of the bit pattern) as a Float64, or `nothing`."""
function parse_f64_bits(v::AbstractString)
    x = length(v) == 16 ? tryparse(UInt64, v; base = 16) : nothing
    return x === nothing ? nothing : reinterpret(Float64, x)
end

"""Per dtype (the `Field` property holding its values): how one value token parses
(`nothing` when it does not) and what a refused token is said not to be."""
const VALUE_PARSERS = Dict(
    "u64" => (v -> tryparse(UInt64, v; base = 10), "a u64"),
    "i64" => (v -> tryparse(Int64, v; base = 10), "an i64"),
    "u8" => (v -> tryparse(UInt8, v; base = 10), "a u8"),
    "f64" => (parse_f64_bits, "16 hex digits"),
)

"""Fill `f`'s data from the value tokens; return `nothing` or why they do not parse."""
function parse_values!(f::Field, values)
    haskey(VALUE_PARSERS, f.dtype) || return "$(f.name): unsupported dtype $(repr(f.dtype))"
    parse, what = VALUE_PARSERS[f.dtype]
    data = similar(getproperty(f, Symbol(f.dtype)), length(values))
    for (k, v) in enumerate(values)
        x = parse(v)
        x === nothing && return "$(f.name): $(repr(v)) is not $what"
        data[k] = x
    end
    setproperty!(f, Symbol(f.dtype), data)
    return nothing
end

"""
    format_field(io, prefix, f)

Write `<prefix> <name> <dtype> <ndim> <dims...> : <values...>` (without a
newline) in the golden-file encoding: integers in decimal, `f64` as the 16
lowercase hex digits of its bit pattern.
"""
function format_field(io::IO, prefix::AbstractString, f::Field)
    print(io, prefix, " ", f.name, " ", f.dtype, " ", length(f.shape))
    for d in f.shape
        print(io, " ", d)
    end
    print(io, " :")
    if f.dtype in ("u64", "i64", "u8")
        for x in getproperty(f, Symbol(f.dtype))
            print(io, " ", string(x; base = 10))
        end
    elseif f.dtype == "f64"
        for x in f.f64
            print(io, " ", string(reinterpret(UInt64, x); base = 16, pad = 16))
        end
    else
        error("cannot format dtype $(f.dtype)")
    end
    return nothing
end
