package sckernels

import "math/bits"

// Pack packs 0/1 bits of shape (N,) or (B, N) into uint64 words of shape
// (ceil(N/64),) or (B, ceil(N/64)): bit t goes to word t/64, bit t%64
// (least-significant first); bits past N in the last word are 0.
func Pack(in NDArray[uint8]) (NDArray[uint64], error) {
	var out NDArray[uint64]
	if err := checkArray("bits", in, 1, 2); err != nil {
		return out, err
	}
	for k, b := range in.Data {
		if b > 1 {
			return out, invalid("bits must contain only 0 and 1, got %d at flat index %d", b, k)
		}
	}
	n := in.Shape[len(in.Shape)-1]
	rows := 1
	if len(in.Shape) == 2 {
		rows = in.Shape[0]
	}
	nWords := int(NWordsFor(int64(n)))
	out.Shape = withLast(in.Shape, nWords)
	out.Data = make([]uint64, rows*nWords)
	for row := 0; row < rows; row++ {
		src := in.Data[row*n : (row+1)*n]
		dst := out.Data[row*nWords : (row+1)*nWords]
		for t, b := range src {
			dst[t/WordBits] |= uint64(b) << uint(t%WordBits)
		}
	}
	return out, nil
}

// Unpack is the inverse of Pack: the first nBits bits of every row of
// packed ((W,) or (B, W)) as uint8 0/1 of shape (nBits,) or (B, nBits).
// It needs 0 <= nBits and ceil(nBits/64) <= W.
func Unpack(packed NDArray[uint64], nBits int64) (NDArray[uint8], error) {
	var out NDArray[uint8]
	if err := checkArray("packed", packed, 1, 2); err != nil {
		return out, err
	}
	if nBits < 0 {
		return out, invalid("n_bits must be an int >= 0, got %d", nBits)
	}
	nWords := packed.Shape[len(packed.Shape)-1]
	if NWordsFor(nBits) > int64(nWords) {
		return out, invalid("n_bits = %d needs %d words per row, packed has %d",
			nBits, NWordsFor(nBits), nWords)
	}
	rows := 1
	if len(packed.Shape) == 2 {
		rows = packed.Shape[0]
	}
	n := int(nBits)
	out.Shape = withLast(packed.Shape, n)
	out.Data = make([]uint8, rows*n)
	for row := 0; row < rows; row++ {
		src := packed.Data[row*nWords : (row+1)*nWords]
		dst := out.Data[row*n : (row+1)*n]
		for t := range dst {
			dst[t] = uint8((src[t/WordBits] >> uint(t%WordBits)) & 1)
		}
	}
	return out, nil
}

// unaryOp applies op to every word of a; the result has a's shape.
func unaryOp(a NDArray[uint64], op func(w uint64) uint64) (NDArray[uint64], error) {
	var out NDArray[uint64]
	if err := checkArray("a", a); err != nil {
		return out, err
	}
	out.Shape = append([]int(nil), a.Shape...)
	out.Data = make([]uint64, len(a.Data))
	for k, w := range a.Data {
		out.Data[k] = op(w)
	}
	return out, nil
}

// Popcount returns the number of set bits of every word, same shape as a.
func Popcount(a NDArray[uint64]) (NDArray[uint64], error) {
	return unaryOp(a, func(w uint64) uint64 { return uint64(bits.OnesCount64(w)) })
}

// binaryOp applies op word by word to two arrays of the same shape.
func binaryOp(a, b NDArray[uint64], op func(x, y uint64) uint64) (NDArray[uint64], error) {
	var out NDArray[uint64]
	if err := checkArray("a", a); err != nil {
		return out, err
	}
	if err := checkArray("b", b); err != nil {
		return out, err
	}
	if err := sameShape("a", a.Shape, "b", b.Shape); err != nil {
		return out, err
	}
	out.Shape = append([]int(nil), a.Shape...)
	out.Data = make([]uint64, len(a.Data))
	for k := range a.Data {
		out.Data[k] = op(a.Data[k], b.Data[k])
	}
	return out, nil
}

// VecAnd is the bitwise AND of packed streams (SC unipolar multiply).
func VecAnd(a, b NDArray[uint64]) (NDArray[uint64], error) {
	return binaryOp(a, b, func(x, y uint64) uint64 { return x & y })
}

// VecXnor is the bitwise XNOR of packed streams (SC bipolar multiply).
func VecXnor(a, b NDArray[uint64]) (NDArray[uint64], error) {
	return binaryOp(a, b, func(x, y uint64) uint64 { return ^(x ^ y) })
}

// VecNot is the bitwise complement of every word (all 64 bits).
func VecNot(a NDArray[uint64]) (NDArray[uint64], error) {
	return unaryOp(a, func(w uint64) uint64 { return ^w })
}

// VecMux is (sel & a) | (^sel & b): SC scaled addition with select stream sel.
func VecMux(sel, a, b NDArray[uint64]) (NDArray[uint64], error) {
	var out NDArray[uint64]
	for _, c := range []struct {
		name string
		arr  NDArray[uint64]
	}{{"sel", sel}, {"a", a}, {"b", b}} {
		if err := checkArray(c.name, c.arr); err != nil {
			return out, err
		}
	}
	if err := sameShape("sel", sel.Shape, "a", a.Shape); err != nil {
		return out, err
	}
	if err := sameShape("sel", sel.Shape, "b", b.Shape); err != nil {
		return out, err
	}
	out.Shape = append([]int(nil), sel.Shape...)
	out.Data = make([]uint64, len(sel.Data))
	for k, s := range sel.Data {
		out.Data[k] = (s & a.Data[k]) | (^s & b.Data[k])
	}
	return out, nil
}
