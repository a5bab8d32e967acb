//! One leaky integrate-and-fire step (docs/design.md#spike-order, FORMAT.md `lif_step`).

use crate::array::{NdArray, format_shape};
use crate::checks::{Bounds, check_finite, check_real};
use crate::error::{MirrorError, Result};

/// The scalar parameters of a LIF step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LifParams {
    /// Resting potential.
    pub v_rest: f64,
    /// Potential after a spike.
    pub v_reset: f64,
    /// Firing threshold (`v' >= v_threshold` spikes).
    pub v_threshold: f64,
    /// Leak factor, finite and `> 0`.
    pub alpha: f64,
    /// Input resistance.
    pub resistance: f64,
}

/// `v' = v + (v_rest - v) * alpha + i_t * resistance + noise`, evaluated left
/// to right with one rounding per operation (Rust never fuses a multiply and
/// an add on its own); `spike = v' >= v_threshold`; `v' = v_reset` where it
/// spiked. `v`, `i_t` and `noise` are 1-D of one shape; every value finite;
/// `alpha > 0`.
pub fn lif_step(
    v: &NdArray<f64>,
    i_t: &NdArray<f64>,
    noise: &NdArray<f64>,
    p: &LifParams,
) -> Result<(NdArray<f64>, NdArray<u8>)> {
    if v.ndim() != 1 {
        return Err(MirrorError::value(
            "v",
            format!(
                "v must have shape (n,), got shape {}",
                format_shape(v.shape())
            ),
        ));
    }
    for (name, arr) in [("i_t", i_t), ("noise", noise)] {
        if arr.shape() != v.shape() {
            return Err(MirrorError::value(
                name,
                format!(
                    "{name} must have the same shape as v {}, got {}",
                    format_shape(v.shape()),
                    format_shape(arr.shape())
                ),
            ));
        }
    }
    check_finite("v", v)?;
    check_finite("i_t", i_t)?;
    check_finite("noise", noise)?;
    check_real("v_rest", p.v_rest, Bounds::ANY)?;
    check_real("v_reset", p.v_reset, Bounds::ANY)?;
    check_real("v_threshold", p.v_threshold, Bounds::ANY)?;
    check_real("alpha", p.alpha, Bounds::POSITIVE)?;
    check_real("resistance", p.resistance, Bounds::ANY)?;
    let n = v.len();
    let mut v_out = Vec::with_capacity(n);
    let mut spikes = Vec::with_capacity(n);
    for k in 0..n {
        let vk = v.data()[k];
        let leak = (p.v_rest - vk) * p.alpha;
        let drive = i_t.data()[k] * p.resistance;
        let v_new = ((vk + leak) + drive) + noise.data()[k];
        if v_new >= p.v_threshold {
            v_out.push(p.v_reset);
            spikes.push(1u8);
        } else {
            v_out.push(v_new);
            spikes.push(0u8);
        }
    }
    Ok((
        NdArray::new("v", v.shape().to_vec(), v_out)?,
        NdArray::new("v", v.shape().to_vec(), spikes)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(alpha: f64) -> LifParams {
        LifParams {
            v_rest: 0.0,
            v_reset: -0.5,
            v_threshold: 1.0,
            alpha,
            resistance: 2.0,
        }
    }

    #[test]
    fn formula_and_exact_tie() {
        let v = NdArray::from_vec(vec![0.5, 0.5, 0.5]);
        // 0.5 + (0 - 0.5) * 0.5 + i * 2 + 0 = 0.25 + 2i: i = 0.375 ties at 1.
        let i = NdArray::from_vec(vec![0.375, 0.25, 0.5]);
        let z = NdArray::from_vec(vec![0.0; 3]);
        let (vn, s) = lif_step(&v, &i, &z, &params(0.5)).unwrap();
        assert_eq!(s.data(), &[1, 0, 1]);
        assert_eq!(vn.data(), &[-0.5, 0.75, -0.5]);
    }

    #[test]
    fn refuses_bad_input() {
        let v = NdArray::from_vec(vec![0.0; 3]);
        let two = NdArray::from_vec(vec![0.0; 2]);
        assert_eq!(lif_step(&v, &two, &v, &params(0.5)).unwrap_err().arg, "i_t");
        assert_eq!(
            lif_step(&v, &v, &two, &params(0.5)).unwrap_err().arg,
            "noise"
        );
        for a in [0.0, -0.0, -1.0, f64::INFINITY, f64::NAN] {
            assert_eq!(lif_step(&v, &v, &v, &params(a)).unwrap_err().arg, "alpha");
        }
        let nan = NdArray::from_vec(vec![0.0, f64::NAN, 0.0]);
        assert_eq!(lif_step(&nan, &v, &v, &params(0.5)).unwrap_err().arg, "v");
        let s = NdArray::scalar(0.0);
        assert_eq!(lif_step(&s, &s, &s, &params(0.5)).unwrap_err().arg, "v");
    }
}
