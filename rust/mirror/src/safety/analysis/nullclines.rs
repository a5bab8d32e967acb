//! Nullclines of a two-variable section of an equation system's drift field
//! (`sc_neurocore.studio._analysis.nullclines`).

use crate::error::Result;

use super::equations::{INPUT_NAME, NOISE_NAME, bound_value, build_system, input_error};
use super::exact::linspace;
use super::expr::{evaluate, first_max, first_min};
use super::sweeps::Domain;

/// Ranges of the first and second swept variable when none is given.
pub const DEFAULT_RANGES: [(f64, f64); 2] = [(-80.0, 40.0), (-1.0, 1.0)];
/// Largest `grid_size`.
pub const MAX_GRID: i64 = 1024;

/// The result of [`nullclines_2d`].
#[derive(Debug, Clone, PartialEq)]
pub struct Nullclines {
    /// The x grid.
    pub x: Vec<f64>,
    /// The y grid.
    pub y: Vec<f64>,
    /// Contour points `[x[j], y[i]]` of each component, row by row.
    pub points: [Vec<[f64; 2]>; 2],
    /// Validity of each component's samples, `validity[c][i][j]`.
    pub validity: [Vec<Vec<bool>>; 2],
    /// Every held variable and its value, in equation order.
    pub held: Vec<(String, f64)>,
    /// The contract's domain.
    pub domain: Domain,
}

/// One swept variable's range: `given` (the input `ranges.<name>` as read,
/// `None` when absent) or the default; errors name `ranges.<name>`.
fn range(name: &str, given: Option<&[f64]>, default: (f64, f64)) -> Result<(f64, f64)> {
    let field = format!("ranges.{name}");
    let (lo, hi) = match given {
        None => default,
        Some(&[lo, hi]) => (lo, hi),
        Some(_) => return Err(input_error(&field, "must be two finite numbers")),
    };
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(input_error(&field, "must be two finite numbers"));
    }
    if lo >= hi {
        return Err(input_error(
            &field,
            format!("must be increasing, got ({lo:?}, {hi:?})"),
        ));
    }
    if !(hi - lo).is_finite() {
        return Err(input_error(&field, "must have a finite width"));
    }
    Ok((lo, hi))
}

/// Both nullclines of the drift field on a `grid_size`-square grid (see the
/// Python docstring): a sample whose evaluation fails is invalid; a cell
/// whose four corners are valid carries a point when the smallest corner
/// value is `<= 0` and the largest `>= 0`.
#[allow(clippy::too_many_arguments)] // the Python signature
pub fn nullclines_2d(
    equations: &[String],
    params: &[(String, f64)],
    var_names: &[String],
    ranges: &[(String, Vec<f64>)],
    grid_size: i64,
    current: f64,
    held: &[(String, f64)],
) -> Result<Nullclines> {
    if var_names.len() != 2 {
        return Err(input_error(
            "var_names",
            "nullclines need exactly two swept variables",
        ));
    }
    let (v0, v1) = (&var_names[0], &var_names[1]);
    if v0 == v1 {
        return Err(input_error(
            "var_names",
            "the two swept variables must differ",
        ));
    }
    if !(2..=MAX_GRID).contains(&grid_size) {
        return Err(input_error(
            "grid_size",
            format!("must be in [2, {MAX_GRID}], got {grid_size}"),
        ));
    }
    let n = grid_size as usize;
    let system = build_system(equations, None, None, params, &[], true)?;
    for name in [v0, v1] {
        if !system.variables.contains(name) {
            return Err(input_error(
                "var_names",
                format!("{name:?} is not an equation variable"),
            ));
        }
    }
    for (name, value) in held {
        let field = format!("held.{name}");
        if !system.variables.contains(name) {
            return Err(input_error(
                &field,
                format!("{name:?} is not an equation variable"),
            ));
        }
        if name == v0 || name == v1 {
            return Err(input_error(
                &field,
                format!("{name:?} is swept and cannot be held"),
            ));
        }
        if !value.is_finite() {
            return Err(input_error(&field, "must be a finite number"));
        }
    }
    if !current.is_finite() {
        return Err(input_error("current", "must be a finite number"));
    }
    let given = |name: &str| {
        ranges
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.as_slice())
    };
    let (x0, x1) = range(v0, given(v0), DEFAULT_RANGES[0])?;
    let (y0, y1) = range(v1, given(v1), DEFAULT_RANGES[1])?;
    let (x, y) = (linspace(x0, x1, n), linspace(y0, y1, n));
    let effective: Vec<(String, f64)> = system
        .variables
        .iter()
        .filter(|v| *v != v0 && *v != v1)
        .map(|v| (v.clone(), bound_value(held, v)))
        .collect();
    let mut env = system.params.clone();
    env.extend(effective.iter().cloned());
    env.push((INPUT_NAME.to_string(), current));
    env.push((NOISE_NAME.to_string(), 0.0));
    let at = |v: &String| system.variables.iter().position(|n| n == v).unwrap_or(0);
    let fields = [&system.derivatives[at(v0)], &system.derivatives[at(v1)]];
    let mut values = [vec![vec![None; n]; n], vec![vec![None; n]; n]];
    for (i, &yi) in y.iter().enumerate() {
        for (j, &xj) in x.iter().enumerate() {
            let mut point = env.clone();
            point.push((v0.clone(), xj));
            point.push((v1.clone(), yi));
            for c in 0..2 {
                values[c][i][j] = evaluate(fields[c], &point).ok();
            }
        }
    }
    let contour = |z: &Vec<Vec<Option<f64>>>| {
        let mut points = Vec::new();
        for i in 0..n - 1 {
            for j in 0..n - 1 {
                let corners = [z[i][j], z[i + 1][j], z[i][j + 1], z[i + 1][j + 1]];
                if corners.iter().any(Option::is_none) {
                    continue;
                }
                let known: Vec<f64> = corners.iter().flatten().copied().collect();
                let (lo, hi) = (first_min(&known), first_max(&known));
                if lo <= 0.0 && 0.0 <= hi {
                    points.push([x[j], y[i]]);
                }
            }
        }
        points
    };
    let total = n * n;
    let valid: Vec<usize> = values
        .iter()
        .map(|z| z.iter().flatten().filter(|v| v.is_some()).count())
        .collect();
    let domain = if valid[0] == total && valid[1] == total {
        Domain::Complete
    } else if valid[0] == 0 || valid[1] == 0 {
        Domain::Empty
    } else {
        Domain::Partial
    };
    let mask = |z: &Vec<Vec<Option<f64>>>| -> Vec<Vec<bool>> {
        z.iter()
            .map(|row| row.iter().map(Option::is_some).collect())
            .collect()
    };
    Ok(Nullclines {
        points: [contour(&values[0]), contour(&values[1])],
        validity: [mask(&values[0]), mask(&values[1])],
        x,
        y,
        held: effective,
        domain,
    })
}
