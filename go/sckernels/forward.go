package sckernels

import (
	"math/bits"
	"runtime"
	"sync"
)

// ScForward is the SC inference contract of docs/design.md#forward-pass:
// out[b, o] = sum_{i,w} popcount(weights[o, i, w] & X[b, i, w]) / length,
// where X are the LFSR-encoded inputs. weights is (n_out, n_in, W) with
// W = ceil(length / 64); probs is (n_in,) (result (n_out,)) or (B, n_in)
// (result (B, n_out)).
func ScForward(weights NDArray[uint64], probs NDArray[float64], length, seed int64) (NDArray[float64], error) {
	return ScForwardWith(weights, probs, length, seed, GenLfsr)
}

// ScForwardWith is ScForward with the inputs encoded by the input side of
// stream generator g (docs/design.md#stream-generators).
func ScForwardWith(weights NDArray[uint64], probs NDArray[float64], length, seed int64, g Generator) (NDArray[float64], error) {
	var out NDArray[float64]
	if err := checkStream(length, seed, g); err != nil {
		return out, err
	}
	if err := checkArray("weights", weights, 3); err != nil {
		return out, err
	}
	if err := checkArray("probs", probs, 1, 2); err != nil {
		return out, err
	}
	if err := checkProbabilities("probs", probs.Data); err != nil {
		return out, err
	}
	nOut, nIn, nWords := weights.Shape[0], weights.Shape[1], weights.Shape[2]
	if int64(nWords) != NWordsFor(length) {
		return out, invalid("weights must have shape (n_out, n_in, n_words) with n_words = "+
			"ceil(length / 64) = %d, got shape %v", NWordsFor(length), weights.Shape)
	}
	if probs.Shape[len(probs.Shape)-1] != nIn {
		return out, invalid("probs must have n_in = %d values per row to match weights %v, got shape %v",
			nIn, weights.Shape, probs.Shape)
	}
	batch := 1
	if len(probs.Shape) == 2 {
		batch = probs.Shape[0]
		out.Shape = []int{batch, nOut}
	} else {
		out.Shape = []int{nOut}
	}
	out.Data = make([]float64, batch*nOut)
	rowLen := nIn * nWords
	inputs := make([]uint64, batch*rowLen)
	if nIn > 0 {
		encodeRows(inputs, probs.Data, nIn, int(length), seed, g, RoleInput)
	}
	counts := make([]uint64, batch*nOut)
	forwardCounts(counts, weights.Data, inputs, nOut, rowLen, batch)
	for k, c := range counts {
		// The single division every backend performs: float64(count) / float64(length).
		out.Data[k] = float64(c) / float64(length)
	}
	return out, nil
}

// andPopcount returns sum_k popcount(w[k] & x[k]) over equal-length slices.
func andPopcount(w, x []uint64) uint64 {
	x = x[:len(w)]
	var c0, c1, c2, c3 int
	k := 0
	for ; k+4 <= len(w); k += 4 {
		c0 += bits.OnesCount64(w[k] & x[k])
		c1 += bits.OnesCount64(w[k+1] & x[k+1])
		c2 += bits.OnesCount64(w[k+2] & x[k+2])
		c3 += bits.OnesCount64(w[k+3] & x[k+3])
	}
	for ; k < len(w); k++ {
		c0 += bits.OnesCount64(w[k] & x[k])
	}
	return uint64(c0) + uint64(c1) + uint64(c2) + uint64(c3)
}

// parallelFor calls fn on consecutive sub-ranges [lo, hi) covering [0, n),
// one per goroutine (at most GOMAXPROCS of them), or on [0, n) directly
// when work (a rough count of elementary steps) is too small to share.
func parallelFor(n, work int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if workers > n {
		workers = n
	}
	if workers <= 1 || work < 1<<15 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, hi)
	}
	wg.Wait()
}

// forwardCounts fills counts[b*nOut+o] with the AND-popcount of weight row o
// and input row b. Output rows are split across goroutines; each worker
// keeps its weight row in cache for the whole batch.
func forwardCounts(counts, weights, inputs []uint64, nOut, rowLen, batch int) {
	parallelFor(nOut, nOut*rowLen*batch, func(lo, hi int) {
		countRows(counts, weights, inputs, lo, hi, nOut, rowLen, batch)
	})
}

func countRows(counts, weights, inputs []uint64, lo, hi, nOut, rowLen, batch int) {
	for o := lo; o < hi; o++ {
		w := weights[o*rowLen : (o+1)*rowLen]
		for b := 0; b < batch; b++ {
			counts[b*nOut+o] = andPopcount(w, inputs[b*rowLen:(b+1)*rowLen])
		}
	}
}
