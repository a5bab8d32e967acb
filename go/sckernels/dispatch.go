package sckernels

import "fmt"

// Kernels lists the kernel names of the parity/FORMAT.md table.
var Kernels = []string{"pack", "unpack", "popcount", "and", "xnor", "not", "mux",
	"encode", "sc_forward", "lif_step"}

// UnknownKernelError is returned by RunKernel for a kernel it does not know.
type UnknownKernelError struct{ Kernel string }

func (e *UnknownKernelError) Error() string { return fmt.Sprintf("unknown kernel %q", e.Kernel) }

// input returns the field called name after checking its dtype and values.
func input(inputs []Field, name, dtype string) (Field, error) {
	for _, f := range inputs {
		if f.Name != name {
			continue
		}
		if f.DType != dtype {
			return f, invalid("%s must have dtype %s, got %s", name, dtype, f.DType)
		}
		if f.Err != nil {
			return f, invalid("%s: %v", name, f.Err)
		}
		return f, nil
	}
	return Field{}, invalid("missing input %s", name)
}

func u64Input(inputs []Field, name string) (NDArray[uint64], error) {
	f, err := input(inputs, name, "u64")
	return NDArray[uint64]{Shape: f.Shape, Data: f.U64}, err
}

func f64Input(inputs []Field, name string) (NDArray[float64], error) {
	f, err := input(inputs, name, "f64")
	return NDArray[float64]{Shape: f.Shape, Data: f.F64}, err
}

func u8Input(inputs []Field, name string) (NDArray[uint8], error) {
	f, err := input(inputs, name, "u8")
	return NDArray[uint8]{Shape: f.Shape, Data: f.U8}, err
}

func i64Scalar(inputs []Field, name string) (int64, error) {
	f, err := input(inputs, name, "i64")
	if err != nil {
		return 0, err
	}
	if len(f.Shape) != 0 || len(f.I64) != 1 {
		return 0, invalid("%s must be a 0-D scalar, got shape %v", name, f.Shape)
	}
	return f.I64[0], nil
}

func f64Scalar(inputs []Field, name string) (float64, error) {
	f, err := input(inputs, name, "f64")
	if err != nil {
		return 0, err
	}
	if len(f.Shape) != 0 || len(f.F64) != 1 {
		return 0, invalid("%s must be a 0-D scalar, got shape %v", name, f.Shape)
	}
	return f.F64[0], nil
}

func u64Field(name string, a NDArray[uint64]) Field {
	return Field{Name: name, DType: "u64", Shape: a.Shape, U64: a.Data}
}

// RunKernel runs kernel on the named inputs of a golden case and returns its
// outputs in the order of the FORMAT.md table. It returns a
// *ValidationError when the inputs are invalid (wrong dtype, rank, shape or
// value) and an *UnknownKernelError for a kernel it does not implement.
func RunKernel(kernel string, inputs []Field) ([]Field, error) {
	switch kernel {
	case "pack":
		bits, err := u8Input(inputs, "bits")
		if err != nil {
			return nil, err
		}
		packed, err := Pack(bits)
		if err != nil {
			return nil, err
		}
		return []Field{u64Field("packed", packed)}, nil
	case "unpack":
		packed, err := u64Input(inputs, "packed")
		if err != nil {
			return nil, err
		}
		nBits, err := i64Scalar(inputs, "n_bits")
		if err != nil {
			return nil, err
		}
		bits, err := Unpack(packed, nBits)
		if err != nil {
			return nil, err
		}
		return []Field{{Name: "bits", DType: "u8", Shape: bits.Shape, U8: bits.Data}}, nil
	case "popcount":
		a, err := u64Input(inputs, "a")
		if err != nil {
			return nil, err
		}
		counts, err := Popcount(a)
		if err != nil {
			return nil, err
		}
		return []Field{u64Field("counts", counts)}, nil
	case "and", "xnor":
		a, err := u64Input(inputs, "a")
		if err != nil {
			return nil, err
		}
		b, err := u64Input(inputs, "b")
		if err != nil {
			return nil, err
		}
		var out NDArray[uint64]
		if kernel == "and" {
			out, err = VecAnd(a, b)
		} else {
			out, err = VecXnor(a, b)
		}
		if err != nil {
			return nil, err
		}
		return []Field{u64Field("out", out)}, nil
	case "not":
		a, err := u64Input(inputs, "a")
		if err != nil {
			return nil, err
		}
		out, err := VecNot(a)
		if err != nil {
			return nil, err
		}
		return []Field{u64Field("out", out)}, nil
	case "mux":
		sel, err := u64Input(inputs, "sel")
		if err != nil {
			return nil, err
		}
		a, err := u64Input(inputs, "a")
		if err != nil {
			return nil, err
		}
		b, err := u64Input(inputs, "b")
		if err != nil {
			return nil, err
		}
		out, err := VecMux(sel, a, b)
		if err != nil {
			return nil, err
		}
		return []Field{u64Field("out", out)}, nil
	case "encode":
		probs, err := f64Input(inputs, "probs")
		if err != nil {
			return nil, err
		}
		length, err := i64Scalar(inputs, "length")
		if err != nil {
			return nil, err
		}
		seed, err := i64Scalar(inputs, "seed")
		if err != nil {
			return nil, err
		}
		packed, err := Encode(probs, length, seed)
		if err != nil {
			return nil, err
		}
		return []Field{u64Field("packed", packed)}, nil
	case "sc_forward":
		weights, err := u64Input(inputs, "weights")
		if err != nil {
			return nil, err
		}
		probs, err := f64Input(inputs, "probs")
		if err != nil {
			return nil, err
		}
		length, err := i64Scalar(inputs, "length")
		if err != nil {
			return nil, err
		}
		seed, err := i64Scalar(inputs, "seed")
		if err != nil {
			return nil, err
		}
		out, err := ScForward(weights, probs, length, seed)
		if err != nil {
			return nil, err
		}
		return []Field{{Name: "out", DType: "f64", Shape: out.Shape, F64: out.Data}}, nil
	case "lif_step":
		v, err := f64Input(inputs, "v")
		if err != nil {
			return nil, err
		}
		iT, err := f64Input(inputs, "i_t")
		if err != nil {
			return nil, err
		}
		noise, err := f64Input(inputs, "noise")
		if err != nil {
			return nil, err
		}
		var p LifParams
		for _, s := range []struct {
			name string
			dst  *float64
		}{{"v_rest", &p.VRest}, {"v_reset", &p.VReset}, {"v_threshold", &p.VThreshold},
			{"alpha", &p.Alpha}, {"resistance", &p.Resistance}} {
			if *s.dst, err = f64Scalar(inputs, s.name); err != nil {
				return nil, err
			}
		}
		vOut, spikes, err := LifStep(v, iT, noise, p)
		if err != nil {
			return nil, err
		}
		return []Field{{Name: "v", DType: "f64", Shape: vOut.Shape, F64: vOut.Data},
			{Name: "spike", DType: "u8", Shape: spikes.Shape, U8: spikes.Data}}, nil
	}
	return nil, &UnknownKernelError{Kernel: kernel}
}

// OrderLike reorders outputs to follow the names of expected (the golden
// file's out lines) when both name the same set; otherwise it returns
// outputs unchanged.
func OrderLike(outputs, expected []Field) []Field {
	if len(expected) != len(outputs) {
		return outputs
	}
	ordered := make([]Field, 0, len(outputs))
	for _, e := range expected {
		found := false
		for _, o := range outputs {
			if o.Name == e.Name {
				ordered = append(ordered, o)
				found = true
				break
			}
		}
		if !found {
			return outputs
		}
	}
	return ordered
}
