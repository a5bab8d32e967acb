package sckernels

import (
	"errors"
	"math"
	"math/bits"
	"math/rand"
	"testing"
)

// naiveThreshold is round-half-even of p*65536 written out by hand
// (floor, then settle ties by parity), clipped to [0, 65536].
func naiveThreshold(p float64) int {
	y := p * 65536
	f := math.Floor(y)
	x := int(f)
	switch frac := y - f; {
	case frac > 0.5:
		x++
	case frac == 0.5 && x%2 == 1:
		x++
	}
	if x < 0 {
		x = 0
	}
	if x > 65536 {
		x = 65536
	}
	return x
}

// naiveStream is the encoder of docs/design.md#encoder, one bit at a time, unpacked.
func naiveStream(p float64, i int, length int, seed int64) []uint8 {
	x := naiveThreshold(p)
	r := int((seed + int64(i)) % 65536)
	if r == 0 {
		r = 1
	}
	out := make([]uint8, length)
	for t := 0; t < length; t++ {
		if r < x {
			out[t] = 1
		}
		fb := ((r >> 15) ^ (r >> 13) ^ (r >> 12) ^ (r >> 10)) & 1
		r = ((r << 1) | fb) & 0xFFFF
	}
	return out
}

func wantInvalid(t *testing.T, what string, err error) {
	t.Helper()
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Errorf("%s: want a ValidationError, got %v", what, err)
	}
}

func mustOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error %v", what, err)
	}
}

func TestLfsrTableIsOneFullCycle(t *testing.T) {
	seq, pos := lfsrTables()
	seen := make([]bool, 65536)
	for k, s := range seq {
		if s == 0 || s > 0xFFFF || seen[s] {
			t.Fatalf("state %d at step %d is zero, too large or repeated", s, k)
		}
		seen[s] = true
		if pos[s] != k {
			t.Fatalf("pos[%d] = %d, want %d", s, pos[s], k)
		}
		if LfsrNext(s) != seq[(k+1)%Period] {
			t.Fatalf("table breaks the recurrence at step %d", k)
		}
	}
}

func TestQuantizeRoundsHalfToEven(t *testing.T) {
	probs := []float64{0, 1, 0.5, 0.5 / 65536, 1.5 / 65536, 2.5 / 65536, 3.5 / 65536,
		1 - 0.5/65536, 1 - 1.5/65536, 0.1, 1.0 / 3, math.SmallestNonzeroFloat64,
		math.Nextafter(1, 0)}
	for _, p := range probs {
		if got, want := int(Quantize(p)), naiveThreshold(p); got != want {
			t.Errorf("Quantize(%v) = %d, want %d", p, got, want)
		}
	}
}

func TestEncodeMatchesBitByBitDefinition(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	probs := []float64{0, 1, 0.5, 0.25, 1.0 / 3, 0.5 / 65536, 1.5 / 65536,
		1 - 0.5/65536, 2.5 / 65536, 1e-9}
	for k := 0; k < 6; k++ {
		probs = append(probs, rng.Float64())
	}
	seeds := []int64{0, 1, DefaultSeed, 65535, 65530, 65536, 1<<32 - 1, 1<<32 - 3}
	lengths := []int{1, 63, 64, 65, 100, 128, 300, 65536 + 70}
	for _, seed := range seeds {
		for _, length := range lengths {
			arr := NDArray[float64]{Shape: []int{2, len(probs) / 2}, Data: probs}
			got, err := Encode(arr, int64(length), seed)
			mustOK(t, "Encode", err)
			nWords := int(NWordsFor(int64(length)))
			wantShape := []int{2, len(probs) / 2, nWords}
			if sameShape("got", got.Shape, "want", wantShape) != nil {
				t.Fatalf("shape %v, want %v", got.Shape, wantShape)
			}
			n := len(probs) / 2
			for j, p := range probs {
				stream := naiveStream(p, j%n, length, seed)
				words := got.Data[j*nWords : (j+1)*nWords]
				for tt := 0; tt < nWords*WordBits; tt++ {
					bit := uint8(words[tt/WordBits] >> uint(tt%WordBits) & 1)
					want := uint8(0)
					if tt < length {
						want = stream[tt]
					}
					if bit != want {
						t.Fatalf("seed %d length %d p %v input %d: bit %d is %d, want %d",
							seed, length, p, j%n, tt, bit, want)
					}
				}
			}
		}
	}
}

func TestEncodeRowsAreEncodedIndependently(t *testing.T) {
	row := []float64{0.2, 0.7, 0.9}
	one, err := Encode(NDArray[float64]{Shape: []int{3}, Data: row}, 200, 65534)
	mustOK(t, "Encode 1-D", err)
	two, err := Encode(NDArray[float64]{Shape: []int{2, 3}, Data: append(append([]float64{}, row...), row...)}, 200, 65534)
	mustOK(t, "Encode 2-D", err)
	for k := range one.Data {
		if one.Data[k] != two.Data[k] || one.Data[k] != two.Data[len(one.Data)+k] {
			t.Fatalf("batched row differs from the 1-D encoding at word %d", k)
		}
	}
}

func TestPackUnpackRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, shape := range [][]int{{0}, {1}, {63}, {64}, {65}, {130}, {3, 0}, {3, 70}, {0, 5}, {4, 128}} {
		n, _ := Size(shape)
		data := make([]uint8, n)
		for k := range data {
			data[k] = uint8(rng.Intn(2))
		}
		packed, err := Pack(NDArray[uint8]{Shape: shape, Data: data})
		mustOK(t, "Pack", err)
		last := shape[len(shape)-1]
		nWords := int(NWordsFor(int64(last)))
		rows := 1
		if len(shape) == 2 {
			rows = shape[0]
		}
		if len(packed.Data) != rows*nWords || packed.Shape[len(shape)-1] != nWords {
			t.Fatalf("shape %v packed to %v", shape, packed.Shape)
		}
		// Bits past N in each row's last word are zero.
		for row := 0; row < rows; row++ {
			total := 0
			for _, w := range packed.Data[row*nWords : (row+1)*nWords] {
				total += bits.OnesCount64(w)
			}
			ones := 0
			for _, b := range data[row*last : (row+1)*last] {
				ones += int(b)
			}
			if total != ones {
				t.Fatalf("shape %v row %d: %d set bits packed, %d in the input", shape, row, total, ones)
			}
		}
		back, err := Unpack(packed, int64(last))
		mustOK(t, "Unpack", err)
		if sameShape("back", back.Shape, "shape", shape) != nil {
			t.Fatalf("round trip shape %v, want %v", back.Shape, shape)
		}
		for k := range data {
			if back.Data[k] != data[k] {
				t.Fatalf("shape %v: bit %d changed in the round trip", shape, k)
			}
		}
	}
}

func TestPackBitOrderIsLeastSignificantFirst(t *testing.T) {
	data := make([]uint8, 70)
	data[0], data[5], data[63], data[64], data[69] = 1, 1, 1, 1, 1
	packed, err := Pack(NDArray[uint8]{Shape: []int{70}, Data: data})
	mustOK(t, "Pack", err)
	if packed.Data[0] != 1|1<<5|1<<63 || packed.Data[1] != 1|1<<5 {
		t.Fatalf("packed %x, want bit t in word t/64 at position t%%64", packed.Data)
	}
}

func TestVectorOpsWordByWord(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	shape := []int{3, 5}
	mk := func() NDArray[uint64] {
		d := make([]uint64, 15)
		for k := range d {
			d[k] = rng.Uint64()
		}
		return NDArray[uint64]{Shape: shape, Data: d}
	}
	sel, a, b := mk(), mk(), mk()
	and, err := VecAnd(a, b)
	mustOK(t, "VecAnd", err)
	xnor, err := VecXnor(a, b)
	mustOK(t, "VecXnor", err)
	not, err := VecNot(a)
	mustOK(t, "VecNot", err)
	mux, err := VecMux(sel, a, b)
	mustOK(t, "VecMux", err)
	pc, err := Popcount(a)
	mustOK(t, "Popcount", err)
	for k := range a.Data {
		// Check every bit against the one-bit truth tables.
		for bit := 0; bit < 64; bit++ {
			s, x, y := sel.Data[k]>>bit&1, a.Data[k]>>bit&1, b.Data[k]>>bit&1
			eq := uint64(0)
			if x == y {
				eq = 1
			}
			m := y
			if s == 1 {
				m = x
			}
			if and.Data[k]>>bit&1 != x*y || xnor.Data[k]>>bit&1 != eq ||
				not.Data[k]>>bit&1 != 1-x || mux.Data[k]>>bit&1 != m {
				t.Fatalf("word %d bit %d: wrong and/xnor/not/mux", k, bit)
			}
		}
		count := uint64(0)
		for w := a.Data[k]; w != 0; w &= w - 1 {
			count++
		}
		if pc.Data[k] != count {
			t.Fatalf("popcount word %d = %d, want %d", k, pc.Data[k], count)
		}
	}
}

// naiveForward is the SC forward pass bit by bit: the AND of weight bit t
// and input bit t, summed over inputs and time, divided by length.
func naiveForward(weights []uint64, nOut, nIn int, probs []float64, length int, seed int64) []float64 {
	nWords := int(NWordsFor(int64(length)))
	batch := len(probs) / nIn
	out := make([]float64, batch*nOut)
	for b := 0; b < batch; b++ {
		streams := make([][]uint8, nIn)
		for i := range streams {
			streams[i] = naiveStream(probs[b*nIn+i], i, length, seed)
		}
		for o := 0; o < nOut; o++ {
			count := 0
			for i := 0; i < nIn; i++ {
				for tt := 0; tt < length; tt++ {
					wbit := int(weights[(o*nIn+i)*nWords+tt/64] >> uint(tt%64) & 1)
					count += wbit * int(streams[i][tt])
				}
			}
			out[b*nOut+o] = float64(count) / float64(length)
		}
	}
	return out
}

func TestScForwardMatchesNaiveLoop(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, c := range []struct {
		nOut, nIn, batch, length int
		seed                     int64
		batched                  bool
	}{
		{1, 1, 1, 1, 0, false}, {3, 4, 1, 100, 65535, false}, {5, 7, 3, 64, DefaultSeed, true},
		{37, 9, 2, 200, 1<<32 - 2, true}, {70, 13, 1, 130, 12345, false}, {2, 3, 0, 10, 1, true},
		// Large enough to take the multi-goroutine path of encode and count.
		{64, 40, 2, 1000, 99, true},
	} {
		nWords := int(NWordsFor(int64(c.length)))
		w := make([]uint64, c.nOut*c.nIn*nWords)
		for k := range w {
			w[k] = rng.Uint64() // includes bits past length, which must not count
		}
		probs := make([]float64, c.batch*c.nIn)
		for k := range probs {
			probs[k] = rng.Float64()
		}
		if len(probs) > 1 {
			probs[0], probs[1] = 0, 1
		}
		pshape := []int{c.nIn}
		if c.batched {
			pshape = []int{c.batch, c.nIn}
		}
		got, err := ScForward(NDArray[uint64]{Shape: []int{c.nOut, c.nIn, nWords}, Data: w},
			NDArray[float64]{Shape: pshape, Data: probs}, int64(c.length), c.seed)
		mustOK(t, "ScForward", err)
		want := naiveForward(w, c.nOut, c.nIn, probs, c.length, c.seed)
		if len(got.Data) != len(want) {
			t.Fatalf("%+v: %d outputs, want %d", c, len(got.Data), len(want))
		}
		for k := range want {
			if math.Float64bits(got.Data[k]) != math.Float64bits(want[k]) {
				t.Fatalf("%+v: out[%d] = %v, want %v", c, k, got.Data[k], want[k])
			}
		}
		wantShape := []int{c.nOut}
		if c.batched {
			wantShape = []int{c.batch, c.nOut}
		}
		if sameShape("got", got.Shape, "want", wantShape) != nil {
			t.Fatalf("%+v: shape %v, want %v", c, got.Shape, wantShape)
		}
	}
}

func TestLifStepOperationOrder(t *testing.T) {
	v := []float64{0, 0.5, 0.95, -0.3, 2}
	iT := []float64{0.1, 0.3, 0.2, 0, -1}
	noise := []float64{0, 0.01, -0.02, 0.001, 0}
	p := LifParams{VRest: -0.1, VReset: -0.2, VThreshold: 1, Alpha: 0.1, Resistance: 1.5}
	vOut, spikes, err := LifStep(NDArray[float64]{Shape: []int{5}, Data: v},
		NDArray[float64]{Shape: []int{5}, Data: iT}, NDArray[float64]{Shape: []int{5}, Data: noise}, p)
	mustOK(t, "LifStep", err)
	for k := range v {
		a := v[k] + (p.VRest-v[k])*p.Alpha
		b := iT[k] * p.Resistance
		want := a + b + noise[k]
		spike := uint8(0)
		if want >= p.VThreshold {
			want, spike = p.VReset, 1
		}
		if vOut.Data[k] != want || spikes.Data[k] != spike {
			t.Errorf("neuron %d: got (%v, %d), want (%v, %d)", k, vOut.Data[k], spikes.Data[k], want, spike)
		}
	}
	// The data is chosen so that both branches run.
	if spikes.Data[2] != 1 || spikes.Data[0] != 0 {
		t.Errorf("want neuron 2 to spike and neuron 0 not to, got %v", spikes.Data)
	}
}

func TestValidationRejectsEveryInvalidClass(t *testing.T) {
	f := func(shape []int, data ...float64) NDArray[float64] { return NDArray[float64]{Shape: shape, Data: data} }
	u := func(shape []int, data ...uint64) NDArray[uint64] { return NDArray[uint64]{Shape: shape, Data: data} }
	b := func(shape []int, data ...uint8) NDArray[uint8] { return NDArray[uint8]{Shape: shape, Data: data} }
	w1 := u([]int{1, 1, 1}, 5)
	p1 := f([]int{1}, 0.5)
	checks := map[string]func() error{
		"weights rank 2":        func() error { _, e := ScForward(u([]int{1, 1}, 5), p1, 10, 1); return e },
		"probs rank 3":          func() error { _, e := ScForward(w1, f([]int{1, 1, 1}, 0.5), 10, 1); return e },
		"probs rank 0":          func() error { _, e := ScForward(w1, f(nil, 0.5), 10, 1); return e },
		"wrong n_words":         func() error { _, e := ScForward(w1, p1, 65, 1); return e },
		"n_in mismatch":         func() error { _, e := ScForward(w1, f([]int{2}, 0.5, 0.5), 10, 1); return e },
		"NaN prob":              func() error { _, e := ScForward(w1, f([]int{1}, math.NaN()), 10, 1); return e },
		"+inf prob":             func() error { _, e := ScForward(w1, f([]int{1}, math.Inf(1)), 10, 1); return e },
		"-inf prob":             func() error { _, e := ScForward(w1, f([]int{1}, math.Inf(-1)), 10, 1); return e },
		"negative prob":         func() error { _, e := ScForward(w1, f([]int{1}, -1e-300), 10, 1); return e },
		"prob above one":        func() error { _, e := ScForward(w1, f([]int{1}, math.Nextafter(1, 2)), 10, 1); return e },
		"length 0":              func() error { _, e := ScForward(u([]int{1, 1, 0}), p1, 0, 1); return e },
		"length negative":       func() error { _, e := ScForward(w1, p1, -5, 1); return e },
		"seed negative":         func() error { _, e := ScForward(w1, p1, 10, -1); return e },
		"seed 2**32":            func() error { _, e := ScForward(w1, p1, 10, 1<<32); return e },
		"data/shape mismatch":   func() error { _, e := ScForward(u([]int{1, 1, 1}, 5, 6), p1, 10, 1); return e },
		"encode NaN":            func() error { _, e := Encode(f([]int{1}, math.NaN()), 10, 1); return e },
		"encode rank 0":         func() error { _, e := Encode(f(nil, 0.5), 10, 1); return e },
		"encode length 0":       func() error { _, e := Encode(p1, 0, 1); return e },
		"encode seed 2**32":     func() error { _, e := Encode(p1, 10, 1<<32); return e },
		"pack non-binary":       func() error { _, e := Pack(b([]int{3}, 0, 2, 1)); return e },
		"pack rank 3":           func() error { _, e := Pack(b([]int{1, 1, 1}, 1)); return e },
		"pack rank 0":           func() error { _, e := Pack(b(nil, 1)); return e },
		"unpack n_bits < 0":     func() error { _, e := Unpack(u([]int{1}, 1), -1); return e },
		"unpack n_bits too big": func() error { _, e := Unpack(u([]int{1}, 1), 65); return e },
		"unpack rank 3":         func() error { _, e := Unpack(u([]int{1, 1, 1}, 1), 1); return e },
		"and shapes":            func() error { _, e := VecAnd(u([]int{2}, 1, 2), u([]int{1}, 1)); return e },
		"xnor shapes":           func() error { _, e := VecXnor(u([]int{2}, 1, 2), u([]int{2, 1}, 1, 2)); return e },
		"mux shapes":            func() error { _, e := VecMux(u([]int{1}, 1), u([]int{1}, 1), u([]int{2}, 1, 2)); return e },
		"popcount data/shape":   func() error { _, e := Popcount(u([]int{3}, 1)); return e },
		"not data/shape":        func() error { _, e := VecNot(u([]int{2}, 1)); return e },
		"lif shapes": func() error {
			_, _, e := LifStep(f([]int{2}, 0, 0), f([]int{1}, 0), f([]int{2}, 0, 0), LifParams{Alpha: 0.1})
			return e
		},
		"lif NaN v": func() error {
			_, _, e := LifStep(f([]int{1}, math.NaN()), f([]int{1}, 0), f([]int{1}, 0), LifParams{Alpha: 0.1})
			return e
		},
		"lif inf noise": func() error {
			_, _, e := LifStep(f([]int{1}, 0), f([]int{1}, 0), f([]int{1}, math.Inf(1)), LifParams{Alpha: 0.1})
			return e
		},
		"lif alpha 0": func() error {
			_, _, e := LifStep(f([]int{1}, 0), f([]int{1}, 0), f([]int{1}, 0), LifParams{Alpha: 0})
			return e
		},
		"lif alpha < 0": func() error {
			_, _, e := LifStep(f([]int{1}, 0), f([]int{1}, 0), f([]int{1}, 0), LifParams{Alpha: -0.5})
			return e
		},
		"lif NaN threshold": func() error {
			_, _, e := LifStep(f([]int{1}, 0), f([]int{1}, 0), f([]int{1}, 0), LifParams{Alpha: 0.1, VThreshold: math.NaN()})
			return e
		},
	}
	for name, check := range checks {
		wantInvalid(t, name, check())
	}
}

func TestRunKernelRejectsWrongDtypeAndRank(t *testing.T) {
	good := []Field{
		{Name: "weights", DType: "u64", Shape: []int{1, 1, 1}, U64: []uint64{5}},
		{Name: "probs", DType: "f64", Shape: []int{1}, F64: []float64{0.5}},
		{Name: "length", DType: "i64", Shape: []int{}, I64: []int64{10}},
		{Name: "seed", DType: "i64", Shape: []int{}, I64: []int64{44257}},
	}
	if _, err := RunKernel("sc_forward", good); err != nil {
		t.Fatalf("valid case refused: %v", err)
	}
	mutate := func(k int, fn func(*Field)) []Field {
		c := append([]Field(nil), good...)
		fn(&c[k])
		return c
	}
	bad := map[string][]Field{
		"weights f64": mutate(0, func(f *Field) { f.DType, f.F64 = "f64", []float64{5} }),
		"probs u64":   mutate(1, func(f *Field) { f.DType, f.U64 = "u64", []uint64{0} }),
		"length 1-D":  mutate(2, func(f *Field) { f.Shape = []int{1} }),
		"seed f64":    mutate(3, func(f *Field) { f.DType, f.F64 = "f64", []float64{1} }),
		"missing":     good[:3],
		"parse error": mutate(1, func(f *Field) { f.Err = errors.New("bad value") }),
	}
	for name, inputs := range bad {
		_, err := RunKernel("sc_forward", inputs)
		wantInvalid(t, name, err)
	}
	var unknown *UnknownKernelError
	if _, err := RunKernel("no_such_kernel", good); !errors.As(err, &unknown) {
		t.Errorf("unknown kernel: got %v", err)
	}
}
