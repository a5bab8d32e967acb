# splitmix64, the deterministic generator of parity/FORMAT.md's `bench`
# inputs; the tests draw their data from it too, so they need no Random.

"""splitmix64 state (all arithmetic mod 2^64)."""
mutable struct SplitMix64
    state::UInt64
end

"""The next 64-bit output of `s`."""
function next_u64!(s::SplitMix64)
    s.state += 0x9E3779B97F4A7C15
    z = s.state
    z = xor(z, z >> 30) * 0xBF58476D1CE4E5B9
    z = xor(z, z >> 27) * 0x94D049BB133111EB
    return xor(z, z >> 31)
end

"""A Float64 in [0, 1): the top 53 bits of the next output times 2^-53."""
next_f64!(s::SplitMix64) = ldexp(Float64(next_u64!(s) >> 11), -53)
