//! A minimal row-major n-dimensional array: a shape and its data.

use crate::error::{MirrorError, Result};

/// Row-major (C order) array. The number of elements always equals the
/// product of the shape (a 0-D array holds exactly one element): the fields are
/// private and every constructor checks it.
#[derive(Debug, Clone, PartialEq)]
pub struct NdArray<T> {
    shape: Vec<usize>,
    data: Vec<T>,
}

/// Product of `shape` (1 for 0-D), or `None` when it overflows `usize`.
pub fn shape_size(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// A shape written the way NumPy prints it: `()`, `(3,)`, `(2, 3)`.
pub fn format_shape(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [one] => format!("({one},)"),
        _ => {
            let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
            format!("({})", parts.join(", "))
        }
    }
}

impl<T> NdArray<T> {
    /// An array of `shape` holding `data`; a value error on `arg` when the
    /// element count does not match the shape.
    pub fn new(arg: &str, shape: Vec<usize>, data: Vec<T>) -> Result<Self> {
        match shape_size(&shape) {
            Some(n) if n == data.len() => Ok(NdArray { shape, data }),
            _ => Err(MirrorError::value(
                arg,
                format!(
                    "{arg} has {} elements, which does not match its shape {}",
                    data.len(),
                    format_shape(&shape)
                ),
            )),
        }
    }

    /// A 1-D array.
    pub fn from_vec(data: Vec<T>) -> Self {
        NdArray {
            shape: vec![data.len()],
            data,
        }
    }

    /// A 0-D array holding `value`.
    pub fn scalar(value: T) -> Self {
        NdArray {
            shape: Vec::new(),
            data: vec![value],
        }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The elements in row-major order.
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Shape and data, by value.
    pub fn into_parts(self) -> (Vec<usize>, Vec<T>) {
        (self.shape, self.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_checks_size() {
        assert!(NdArray::new("a", vec![2, 3], vec![0u8; 6]).is_ok());
        let e = NdArray::new("a", vec![2, 3], vec![0u8; 5]).unwrap_err();
        assert_eq!(e.arg, "a");
        assert!(NdArray::new("a", vec![], vec![1u8]).is_ok());
        assert!(NdArray::new("a", vec![], Vec::<u8>::new()).is_err());
        assert!(NdArray::new("a", vec![0, 7], Vec::<u8>::new()).is_ok());
        let huge = vec![usize::MAX, 2];
        assert!(NdArray::new("a", huge, Vec::<u8>::new()).is_err());
    }

    #[test]
    fn shapes_print_like_numpy() {
        assert_eq!(format_shape(&[]), "()");
        assert_eq!(format_shape(&[3]), "(3,)");
        assert_eq!(format_shape(&[2, 3]), "(2, 3)");
    }
}
