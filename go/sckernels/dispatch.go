package sckernels

import "fmt"

// Kernels lists the kernel names of the parity/FORMAT.md table.
var Kernels = []string{"pack", "unpack", "popcount", "and", "xnor", "not", "mux",
	"encode", "sc_forward", "lif_step", "encode_sobol", "sc_forward_sobol",
	"encode_lfsr_pair", "sc_forward_lfsr_pair"}

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

// caseInputs reads a golden case's named inputs and keeps the first error:
// once one read fails, the later reads return zero values and RunKernel
// reports that first error without calling the kernel.
type caseInputs struct {
	fields []Field
	err    error
}

func (c *caseInputs) field(name, dtype string) Field {
	if c.err != nil {
		return Field{}
	}
	f, err := input(c.fields, name, dtype)
	c.err = err
	return f
}

func (c *caseInputs) u64(name string) NDArray[uint64] {
	f := c.field(name, "u64")
	return NDArray[uint64]{Shape: f.Shape, Data: f.U64}
}

func (c *caseInputs) f64(name string) NDArray[float64] {
	f := c.field(name, "f64")
	return NDArray[float64]{Shape: f.Shape, Data: f.F64}
}

func (c *caseInputs) u8(name string) NDArray[uint8] {
	f := c.field(name, "u8")
	return NDArray[uint8]{Shape: f.Shape, Data: f.U8}
}

// scalar is the one value of a 0-D input (zero after an error).
func scalar[T Elem](c *caseInputs, name, dtype string, data func(Field) []T) T {
	var zero T
	f := c.field(name, dtype)
	if c.err == nil && (len(f.Shape) != 0 || len(data(f)) != 1) {
		c.err = invalid("%s must be a 0-D scalar, got shape %v", name, f.Shape)
	}
	if c.err != nil {
		return zero
	}
	return data(f)[0]
}

func (c *caseInputs) i64Scalar(name string) int64 {
	return scalar(c, name, "i64", func(f Field) []int64 { return f.I64 })
}

func (c *caseInputs) f64Scalar(name string) float64 {
	return scalar(c, name, "f64", func(f Field) []float64 { return f.F64 })
}

func u64Field(name string, a NDArray[uint64]) Field {
	return Field{Name: name, DType: "u64", Shape: a.Shape, U64: a.Data}
}

func f64Field(name string, a NDArray[float64]) Field {
	return Field{Name: name, DType: "f64", Shape: a.Shape, F64: a.Data}
}

func u8Field(name string, a NDArray[uint8]) Field {
	return Field{Name: name, DType: "u8", Shape: a.Shape, U8: a.Data}
}

// outputs returns fields, or nil and err when the kernel refused its inputs.
func outputs(err error, fields ...Field) ([]Field, error) {
	if err != nil {
		return nil, err
	}
	return fields, nil
}

// RunKernel runs kernel on the named inputs of a golden case and returns its
// outputs in the order of the FORMAT.md table. It returns a
// *ValidationError when the inputs are invalid (wrong dtype, rank, shape or
// value) and an *UnknownKernelError for a kernel it does not implement.
func RunKernel(kernel string, inputs []Field) ([]Field, error) {
	run, ok := kernelRunners[kernel]
	if !ok {
		return nil, &UnknownKernelError{Kernel: kernel}
	}
	in := &caseInputs{fields: inputs}
	call := run(in)
	if in.err != nil {
		return nil, in.err
	}
	return call()
}

// runner reads a kernel's inputs and returns the call that runs the kernel.
type runner = func(in *caseInputs) func() ([]Field, error)

// kernelRunners reads each kernel's inputs (first phase) and returns the call
// that runs it on them (second phase, made only when every read succeeded).
var kernelRunners = map[string]runner{
	"pack": func(in *caseInputs) func() ([]Field, error) {
		bits := in.u8("bits")
		return func() ([]Field, error) {
			packed, err := Pack(bits)
			return outputs(err, u64Field("packed", packed))
		}
	},
	"unpack": func(in *caseInputs) func() ([]Field, error) {
		packed, nBits := in.u64("packed"), in.i64Scalar("n_bits")
		return func() ([]Field, error) {
			bits, err := Unpack(packed, nBits)
			return outputs(err, u8Field("bits", bits))
		}
	},
	"popcount": wordRunner("counts", Popcount),
	"and":      binaryRunner(VecAnd),
	"xnor":     binaryRunner(VecXnor),
	"not":      wordRunner("out", VecNot),
	"mux": func(in *caseInputs) func() ([]Field, error) {
		sel, a, b := in.u64("sel"), in.u64("a"), in.u64("b")
		return func() ([]Field, error) {
			out, err := VecMux(sel, a, b)
			return outputs(err, u64Field("out", out))
		}
	},
	"encode": func(in *caseInputs) func() ([]Field, error) {
		probs, length, seed := in.f64("probs"), in.i64Scalar("length"), in.i64Scalar("seed")
		return func() ([]Field, error) {
			packed, err := Encode(probs, length, seed)
			return outputs(err, u64Field("packed", packed))
		}
	},
	"sc_forward": forwardRunner(GenLfsr),
	"lif_step": func(in *caseInputs) func() ([]Field, error) {
		v, iT, noise := in.f64("v"), in.f64("i_t"), in.f64("noise")
		p := LifParams{VRest: in.f64Scalar("v_rest"), VReset: in.f64Scalar("v_reset"),
			VThreshold: in.f64Scalar("v_threshold"), Alpha: in.f64Scalar("alpha"),
			Resistance: in.f64Scalar("resistance")}
		return func() ([]Field, error) {
			vOut, spikes, err := LifStep(v, iT, noise, p)
			return outputs(err, f64Field("v", vOut), u8Field("spike", spikes))
		}
	},
}

func init() {
	for _, g := range Generators[1:] {
		kernelRunners["encode_"+string(g)] = encodeSidesRunner(g)
		kernelRunners["sc_forward_"+string(g)] = forwardRunner(g)
	}
}

// encodeSidesRunner encodes a case's probabilities with both sides of g:
// outputs packed_input and packed_weight.
func encodeSidesRunner(g Generator) runner {
	return func(in *caseInputs) func() ([]Field, error) {
		probs, length, seed := in.f64("probs"), in.i64Scalar("length"), in.i64Scalar("seed")
		return func() ([]Field, error) {
			input, err := EncodeWith(probs, length, seed, g, RoleInput)
			if err != nil {
				return nil, err
			}
			weight, err := EncodeWith(probs, length, seed, g, RoleWeight)
			return outputs(err, u64Field("packed_input", input), u64Field("packed_weight", weight))
		}
	}
}

// forwardRunner runs sc_forward with the inputs encoded by g.
func forwardRunner(g Generator) runner {
	return func(in *caseInputs) func() ([]Field, error) {
		weights, probs := in.u64("weights"), in.f64("probs")
		length, seed := in.i64Scalar("length"), in.i64Scalar("seed")
		return func() ([]Field, error) {
			out, err := ScForwardWith(weights, probs, length, seed, g)
			return outputs(err, f64Field("out", out))
		}
	}
}

// wordRunner runs a word-wise operation of one packed array a; its result is
// the output called name.
func wordRunner(name string, op func(a NDArray[uint64]) (NDArray[uint64], error)) runner {
	return func(in *caseInputs) func() ([]Field, error) {
		a := in.u64("a")
		return func() ([]Field, error) {
			out, err := op(a)
			return outputs(err, u64Field(name, out))
		}
	}
}

// binaryRunner runs a word-wise operation of two packed arrays a and b.
func binaryRunner(op func(a, b NDArray[uint64]) (NDArray[uint64], error)) runner {
	return func(in *caseInputs) func() ([]Field, error) {
		a, b := in.u64("a"), in.u64("b")
		return func() ([]Field, error) {
			out, err := op(a, b)
			return outputs(err, u64Field("out", out))
		}
	}
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
