// Package sckernels is the Go research mirror of sc_neurocore.accel: the
// packed stochastic-computing kernels of docs/design.md (encoder to spike order), written with the
// standard library only and checked bit for bit against the golden vectors
// in parity/golden (see parity/FORMAT.md).
//
// Every kernel validates its arguments and returns a *ValidationError for
// any input the NumPy reference rejects; it never returns an answer for one.
package sckernels

import (
	"fmt"
	"math"
)

// WordBits is the number of stream bits held by one packed uint64 word.
const WordBits = 64

// Elem lists the element types an NDArray may hold.
type Elem interface {
	uint64 | int64 | uint8 | float64
}

// NDArray is a flat C-order (row-major) array with an explicit shape.
// A 0-D array (scalar) has an empty Shape and one element.
type NDArray[T Elem] struct {
	Shape []int
	Data  []T
}

// ValidationError reports an argument that breaks the contract; the
// kernels return it instead of an answer.
type ValidationError struct {
	Msg string
}

func (e *ValidationError) Error() string { return e.Msg }

func invalid(format string, args ...any) error {
	return &ValidationError{Msg: fmt.Sprintf(format, args...)}
}

// NWordsFor returns ceil(nBits / 64) without overflowing for large nBits.
func NWordsFor(nBits int64) int64 {
	w := nBits / WordBits
	if nBits%WordBits != 0 {
		w++
	}
	return w
}

// Size returns the number of elements a shape holds, or an error when a
// dimension is negative or the product does not fit in an int.
func Size(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, invalid("negative dimension in shape %v", shape)
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, invalid("shape %v is too large", shape)
		}
		n *= d
	}
	return n, nil
}

// checkArray verifies that a's data length matches its shape and that its
// rank is one of ranks (any rank when ranks is empty).
func checkArray[T Elem](name string, a NDArray[T], ranks ...int) error {
	n, err := Size(a.Shape)
	if err != nil {
		return invalid("%s: %s", name, err.Error())
	}
	if len(a.Data) != n {
		return invalid("%s has %d values but shape %v needs %d", name, len(a.Data), a.Shape, n)
	}
	if len(ranks) == 0 {
		return nil
	}
	for _, r := range ranks {
		if len(a.Shape) == r {
			return nil
		}
	}
	return invalid("%s must have rank in %v, got shape %v", name, ranks, a.Shape)
}

func sameShape(nameA string, a []int, nameB string, b []int) error {
	if len(a) != len(b) {
		return invalid("%s and %s must have the same shape, got %v and %v", nameA, nameB, a, b)
	}
	for k := range a {
		if a[k] != b[k] {
			return invalid("%s and %s must have the same shape, got %v and %v", nameA, nameB, a, b)
		}
	}
	return nil
}

// withLast returns a copy of shape with its last dimension replaced by last.
func withLast(shape []int, last int) []int {
	out := append([]int(nil), shape...)
	out[len(out)-1] = last
	return out
}

// checkLength validates a stream length (a positive integer).
func checkLength(length int64) error {
	if length <= 0 {
		return invalid("length must be an int >= 1, got %d", length)
	}
	return nil
}

// checkSeed validates an encoder seed (an integer in [0, 2**32)).
func checkSeed(seed int64) error {
	if seed < 0 || seed >= 1<<32 {
		return invalid("seed must be an int in [0, 4294967296), got %d", seed)
	}
	return nil
}

// checkProbabilities verifies every value is finite and in [0, 1].
func checkProbabilities(name string, p []float64) error {
	for k, x := range p {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return invalid("%s must be finite, got %v at flat index %d", name, x, k)
		}
		if x < 0 || x > 1 {
			return invalid("%s must be in [0, 1], got %v at flat index %d", name, x, k)
		}
	}
	return nil
}

// checkFinite verifies every value is finite.
func checkFinite(name string, p []float64) error {
	for k, x := range p {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return invalid("%s must be finite, got %v at flat index %d", name, x, k)
		}
	}
	return nil
}
