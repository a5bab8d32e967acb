package sckernels

import (
	"math"
	"sync"
)

// Period is the length of the LFSR cycle (all non-zero 16-bit states).
const Period = 65535

// DefaultSeed is the encoder seed used when the caller gives none (0xACE1).
const DefaultSeed = 44257

// LfsrNext is one step of the 16-bit Fibonacci LFSR (taps 16, 14, 13, 11).
func LfsrNext(r uint32) uint32 {
	fb := ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1
	return ((r << 1) | fb) & 0xFFFF
}

var (
	tablesOnce sync.Once
	lfsrSeq    []uint32 // lfsrSeq[k]: the state k steps after state 1, k < Period
	lfsrPos    []int    // lfsrPos[s]: the k with lfsrSeq[k] == s (lfsrPos[0] unused)
)

// lfsrTables returns the LFSR cycle and its inverse, computed once per process.
func lfsrTables() ([]uint32, []int) {
	tablesOnce.Do(func() { lfsrSeq, lfsrPos = registerTables(LfsrNext) })
	return lfsrSeq, lfsrPos
}

// registerTables returns the cycle of a maximal-length register stepped by
// next from state 1 (state k steps after 1, k < Period) and its inverse.
func registerTables(next func(uint32) uint32) ([]uint32, []int) {
	seq := make([]uint32, Period)
	pos := make([]int, 65536)
	r := uint32(1)
	for k := 0; k < Period; k++ {
		seq[k] = r
		pos[r] = k
		r = next(r)
	}
	return seq, pos
}

// Quantize maps a probability to its comparator threshold
// x = clip(round_half_even(p * 65536), 0, 65536).
func Quantize(p float64) uint32 {
	x := math.RoundToEven(p * 65536.0)
	if x <= 0 {
		return 0
	}
	if x >= 65536 {
		return 65536
	}
	return uint32(x)
}

// StartState is the register seed of input i: (seed + i) mod 65536, 0 -> 1.
func StartState(seed int64, i int) uint32 {
	r := uint32((uint64(seed) + uint64(i)) % 65536)
	if r == 0 {
		return 1
	}
	return r
}

// encodeWindow writes into dst (len(dst) == NWordsFor(length); bits past
// length stay 0) the packed stream of threshold x reading seq (one period)
// from position k, every value XORed with mask.
func encodeWindow(dst []uint64, x uint32, seq []uint32, k int, mask uint32, length int) {
	period := len(seq)
	t := 0
	for w := range dst {
		end := t + WordBits
		if end > length {
			end = length
		}
		var word uint64
		for b := 0; t < end; b, t = b+1, t+1 {
			// v < x without a branch: both are below 2**17, so the uint32
			// difference wraps (sets bit 31) exactly when v < x.
			word |= uint64(((seq[k]^mask)-x)>>31) << uint(b)
			k++
			if k == period {
				k = 0
			}
		}
		dst[w] = word
	}
}

// encodeRows encodes rows of n validated probabilities into dst, which
// holds len(probs)/n * n * nWords words (C order (rows, n, nWords)), with
// the role side of generator g. Streams are split across goroutines when
// there are enough bits.
func encodeRows(dst []uint64, probs []float64, n int, length int, seed int64, g Generator, role Role) {
	nWords := int(NWordsFor(int64(length)))
	parallelFor(len(probs), len(probs)*length, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			seq, start, mask := streamWindow(g, role, seed, j%n)
			encodeWindow(dst[j*nWords:(j+1)*nWords], Quantize(probs[j]), seq, start, mask, length)
		}
	})
}

// Encode turns probabilities of shape (n,) or (B, n) into packed LFSR
// bitstreams of shape (n, W) or (B, n, W), W = ceil(length / 64). Input
// index i (the last axis) uses register seed (seed + i) mod 65536.
func Encode(probs NDArray[float64], length, seed int64) (NDArray[uint64], error) {
	return EncodeWith(probs, length, seed, GenLfsr, RoleInput)
}

// EncodeWith is Encode with the role side of stream generator g
// (docs/design.md#stream-generators).
func EncodeWith(probs NDArray[float64], length, seed int64, g Generator, role Role) (NDArray[uint64], error) {
	var out NDArray[uint64]
	if err := checkStream(length, seed, g); err != nil {
		return out, err
	}
	if err := checkRole(role); err != nil {
		return out, err
	}
	if err := checkArray("probs", probs, 1, 2); err != nil {
		return out, err
	}
	if err := checkProbabilities("probs", probs.Data); err != nil {
		return out, err
	}
	nWords := NWordsFor(length)
	total, err := Size(append(append([]int(nil), probs.Shape...), int(nWords)))
	if err != nil || int64(int(nWords)) != nWords || int64(int(length)) != length {
		return out, invalid("length %d is too large for %d inputs", length, len(probs.Data))
	}
	out.Shape = append(append([]int(nil), probs.Shape...), int(nWords))
	out.Data = make([]uint64, total)
	n := probs.Shape[len(probs.Shape)-1]
	if n > 0 {
		encodeRows(out.Data, probs.Data, n, int(length), seed, g, role)
	}
	return out, nil
}
