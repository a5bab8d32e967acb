# LIF dynamics, docs/design.md#spike-order (mirrors go/sckernels/lif.go).

"""The scalar parameters of one LIF step."""
struct LifParams
    v_rest::Float64
    v_reset::Float64
    v_threshold::Float64
    alpha::Float64
    resistance::Float64
end

"""
    lif_step(v, i_t, noise, p::LifParams) -> (v_new, spike)

One leaky integrate-and-fire step in Float64:

    v' = v + (v_rest - v) * alpha + I_t * resistance + noise
    spike = v' >= v_threshold;  v' = v_reset where it spiked

`v`, `i_t` and `noise` are 1-D of the same shape; every value must be finite
and `alpha > 0`. Each operation rounds on its own, in that order (Julia never
fuses `x * y + z` into an FMA unless asked to with `muladd` or `@fastmath`).
"""
function lif_step(v::NDArray{Float64}, i_t::NDArray{Float64}, noise::NDArray{Float64}, p::LifParams)
    check_array("v", v, 1)
    check_array("i_t", i_t, 1)
    check_array("noise", noise, 1)
    same_shape("v", v.shape, "i_t", i_t.shape)
    same_shape("v", v.shape, "noise", noise.shape)
    check_finite("v", v.data)
    check_finite("i_t", i_t.data)
    check_finite("noise", noise.data)
    for (name, x) in (("v_rest", p.v_rest), ("v_reset", p.v_reset), ("v_threshold", p.v_threshold),
                      ("alpha", p.alpha), ("resistance", p.resistance))
        check_finite(name, [x])
    end
    p.alpha > 0 || invalid("alpha must be a finite number > 0, got $(p.alpha)")
    n = length(v.data)
    v_out = zeros(Float64, n)
    spikes = zeros(UInt8, n)
    for k in 1:n
        leak = (p.v_rest - v.data[k]) * p.alpha
        drive = i_t.data[k] * p.resistance
        v_new = ((v.data[k] + leak) + drive) + noise.data[k]
        if v_new >= p.v_threshold
            v_new = p.v_reset
            spikes[k] = 0x01
        end
        v_out[k] = v_new
    end
    return NDArray{Float64}(copy(v.shape), v_out), NDArray{UInt8}(copy(v.shape), spikes)
end
