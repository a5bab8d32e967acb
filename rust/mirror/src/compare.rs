//! Output comparison, FORMAT.md style: same names in the same order, same
//! dtypes and shapes, equal values. `f64` values are equal by bit pattern
//! (so `-0.0` differs from `0.0`), except for an output with a relative
//! tolerance `rtol` (a golden file's `rtol` directive, or `lif_step`'s `v`),
//! which also passes where `|got - expected| <= rtol * max(|expected|, 1)`
//! or both are NaN. Every other dtype (`str` included) matches exactly.

use crate::array::format_shape;
use crate::golden::{Field, Values};

/// Whether element `k` of `got` matches `want`.
fn element_matches(got: &Values, want: &Values, k: usize, rtol: Option<f64>) -> bool {
    match (got, want) {
        (Values::U64(g), Values::U64(w)) => g[k] == w[k],
        (Values::I64(g), Values::I64(w)) => g[k] == w[k],
        (Values::U8(g), Values::U8(w)) => g[k] == w[k],
        (Values::Str(g), Values::Str(w)) => g[k] == w[k],
        (Values::F64(g), Values::F64(w)) => {
            let (g, w) = (g[k], w[k]);
            g.to_bits() == w.to_bits()
                || rtol.is_some_and(|r| {
                    (g.is_nan() && w.is_nan()) || (g - w).abs() <= r * w.abs().max(1.0)
                })
        }
        _ => false,
    }
}

fn element_text(v: &Values, k: usize) -> String {
    match v {
        Values::U64(x) => x[k].to_string(),
        Values::I64(x) => x[k].to_string(),
        Values::U8(x) => x[k].to_string(),
        Values::F64(x) => format!("{:?} ({:016x})", x[k], x[k].to_bits()),
        Values::Str(x) => format!("{:?}", x[k]),
    }
}

/// Compares outputs with the golden ones; `rtol(name)` gives an output's
/// relative tolerance (`None`: bit for bit). The error describes the first
/// difference.
pub fn compare_fields(
    got: &[Field],
    want: &[Field],
    rtol: impl Fn(&str) -> Option<f64>,
) -> Result<(), String> {
    if got.len() != want.len() {
        let names = |fs: &[Field]| fs.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        return Err(format!(
            "{} outputs {:?}, expected {} {:?}",
            got.len(),
            names(got),
            want.len(),
            names(want)
        ));
    }
    for (g, w) in got.iter().zip(want) {
        if g.name != w.name {
            return Err(format!("output {:?}, expected {:?}", g.name, w.name));
        }
        if g.values.dtype() != w.values.dtype() {
            return Err(format!(
                "{}: dtype {}, expected {}",
                w.name,
                g.values.dtype().name(),
                w.values.dtype().name()
            ));
        }
        if g.shape != w.shape || g.values.len() != w.values.len() {
            return Err(format!(
                "{}: shape {}, expected {}",
                w.name,
                format_shape(&g.shape),
                format_shape(&w.shape)
            ));
        }
        let tol = rtol(&w.name);
        if let Some(k) =
            (0..w.values.len()).find(|&k| !element_matches(&g.values, &w.values, k, tol))
        {
            let within = tol.map_or(String::new(), |r| format!(" (beyond rtol {r:e})"));
            return Err(format!(
                "{}[{k}] = {}, expected {}{within}",
                w.name,
                element_text(&g.values, k),
                element_text(&w.values, k)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtol_only_where_declared_and_strings_exact() {
        let want = [Field::f64s("y", vec![1.0, 0.0, f64::NAN])];
        let near = [Field::f64s("y", vec![1.0 + 5e-13, 9e-13, -f64::NAN])];
        assert!(compare_fields(&near, &want, |_| Some(1e-12)).is_ok());
        assert!(compare_fields(&near, &want, |_| None).is_err());
        assert!(compare_fields(&near, &want, |n| (n == "z").then_some(1e-12)).is_err());
        let far = [Field::f64s("y", vec![1.0 + 3e-12, 0.0, f64::NAN])];
        let e = compare_fields(&far, &want, |_| Some(1e-12)).unwrap_err();
        assert!(e.contains("y[0]") && e.contains("rtol"), "{e}");
        let s = [Field::strs("s", vec!["a b".into(), "".into()])];
        assert!(compare_fields(&s, &s, |_| Some(1.0)).is_ok());
        let t = [Field::strs("s", vec!["a b".into(), " ".into()])];
        assert!(
            compare_fields(&t, &s, |_| Some(1.0))
                .unwrap_err()
                .contains("s[1]")
        );
        let u = [Field::u64s("s", vec![1, 2])];
        assert!(
            compare_fields(&u, &s, |_| None)
                .unwrap_err()
                .contains("dtype")
        );
        assert!(compare_fields(&[], &s, |_| None).is_err());
    }
}
