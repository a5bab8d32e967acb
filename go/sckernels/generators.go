package sckernels

import "sync"

// Stream generators (docs/design.md#stream-generators). Every generator is
// a comparator: bit t of input i is (seq[(start_i + t) mod period] ^ mask_i)
// < x_i. A generator fixes, per role (the input side and the weight side of
// an AND product), the sequence read and how start_i and mask_i follow from
// the seed:
//
//   - "lfsr" (the reference): both sides read the register of Encode from
//     state (seed + i) mod 65536 (0 -> 1); no mask.
//   - "lfsr_pair": the input side is "lfsr"; the weight side reads a second
//     register (taps 16, 15, 13, 4) started by the same rule.
//   - "sobol": the weight side reads Sobol coordinate 1 (the bit reversal of
//     the index), the input side coordinate 2 (polynomial x + 1), as 16-bit
//     integers from point 0, XORed with the top 16 bits of SplitMix64 draw
//     2i + c (from 1) of seed seed, c the coordinate. Period 65536.

// Generator names a stream generator.
type Generator string

// The generators.
const (
	GenLfsr     Generator = "lfsr"
	GenSobol    Generator = "sobol"
	GenLfsrPair Generator = "lfsr_pair"
)

// Role is the side of an AND product a stream is encoded for.
type Role string

// The roles.
const (
	RoleInput  Role = "input"
	RoleWeight Role = "weight"
)

// Generators lists every generator, the reference first.
var Generators = []Generator{GenLfsr, GenSobol, GenLfsrPair}

// pairTaps are the feedback taps of "lfsr_pair"'s weight-side register.
var pairTaps = [4]uint32{16, 15, 13, 4}

// registerNext is one step of a 16-bit Fibonacci register with feedback
// taps (tap k reads bit k - 1).
func registerNext(r uint32, taps [4]uint32) uint32 {
	fb := ((r >> (taps[0] - 1)) ^ (r >> (taps[1] - 1)) ^ (r >> (taps[2] - 1)) ^ (r >> (taps[3] - 1))) & 1
	return ((r << 1) | fb) & 0xFFFF
}

var (
	pairOnce    sync.Once
	pairSeq     []uint32 // the pair register's state k steps after 1
	pairPos     []int    // the k of each state
	sobolOnce   sync.Once
	sobolCoords [2][]uint32 // Sobol coordinates 1 and 2, points 0 .. 65535
)

// pairTables returns the pair register's cycle and its inverse (once).
func pairTables() ([]uint32, []int) {
	pairOnce.Do(func() {
		pairSeq, pairPos = registerTables(func(r uint32) uint32 { return registerNext(r, pairTaps) })
	})
	return pairSeq, pairPos
}

// SobolDirections returns the 16-bit direction numbers V_1 .. V_16 of Sobol
// coordinate 1 (every m_k = 1) or 2 (x + 1: m_1 = 1, m_k = 2 m_(k-1) ^ m_(k-1)),
// V_k = m_k * 2^(16 - k).
func SobolDirections(coordinate int) [16]uint32 {
	var v [16]uint32
	m := uint32(1)
	for k := 0; k < 16; k++ {
		v[k] = m << (15 - k)
		if coordinate == 2 {
			m = (m << 1) ^ m
		}
	}
	return v
}

// sobolTables returns coordinates 1 and 2 for points 0 .. 65535 (once):
// point n is the XOR of V_k over the set bits k - 1 of n.
func sobolTables() [2][]uint32 {
	sobolOnce.Do(func() {
		for c := 0; c < 2; c++ {
			dirs := SobolDirections(c + 1)
			vals := make([]uint32, 65536)
			for n := range vals {
				var x uint32
				for k := 0; k < 16; k++ {
					if (n>>k)&1 == 1 {
						x ^= dirs[k]
					}
				}
				vals[n] = x
			}
			sobolCoords[c] = vals
		}
	})
	return sobolCoords
}

// SplitMixDraw is draw k (counted from 1) of SplitMix64 seeded with seed.
func SplitMixDraw(seed, k uint64) uint64 {
	z := seed + k*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// streamWindow returns what input i of the role side of g reads with seed:
// the sequence (one period), where it starts and the mask of its values.
func streamWindow(g Generator, role Role, seed int64, i int) (seq []uint32, start int, mask uint32) {
	switch {
	case g == GenSobol:
		coordinate := 2
		if role == RoleWeight {
			coordinate = 1
		}
		shift := SplitMixDraw(uint64(seed), uint64(2*i+coordinate)) >> 48
		return sobolTables()[coordinate-1], 0, uint32(shift)
	case g == GenLfsrPair && role == RoleWeight:
		seq, pos := pairTables()
		return seq, pos[StartState(seed, i)], 0
	default:
		seq, pos := lfsrTables()
		return seq, pos[StartState(seed, i)], 0
	}
}

// checkGenerator refuses a name that is not a generator.
func checkGenerator(g Generator) error {
	for _, known := range Generators {
		if g == known {
			return nil
		}
	}
	return invalid("generator must be one of lfsr, sobol, lfsr_pair; got %q", string(g))
}

// checkStream validates a stream's length, seed and generator, in that order
// (the order of Python's checks).
func checkStream(length, seed int64, g Generator) error {
	if err := checkLength(length); err != nil {
		return err
	}
	if err := checkSeed(seed); err != nil {
		return err
	}
	return checkGenerator(g)
}

// checkRole refuses a role other than "input" and "weight".
func checkRole(r Role) error {
	if r != RoleInput && r != RoleWeight {
		return invalid("role must be one of input, weight; got %q", string(r))
	}
	return nil
}
