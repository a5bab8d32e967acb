package sckernels

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenDir is parity/golden seen from this package's folder (go/sckernels);
// the PARITY_GOLDEN_DIR environment variable points the test elsewhere.
func goldenDir() string {
	if dir := os.Getenv("PARITY_GOLDEN_DIR"); dir != "" {
		return dir
	}
	return "../../parity/golden"
}

// closeEnough is the lif_step tolerance of FORMAT.md: 1e-12 relative,
// 1e-12 absolute near zero.
func closeEnough(got, want float64) bool {
	if math.Float64bits(got) == math.Float64bits(want) {
		return true
	}
	diff := math.Abs(got - want)
	return diff <= 1e-12 || diff <= 1e-12*math.Max(math.Abs(got), math.Abs(want))
}

// firstMismatch describes the first index where the integer arrays got and
// want differ, or returns "" when they are equal.
func firstMismatch[T uint64 | int64 | uint8](name string, got, want []T) string {
	for k := range want {
		if got[k] != want[k] {
			return fmt.Sprintf("%s[%d] = %d, want %d", name, k, got[k], want[k])
		}
	}
	return ""
}

// compareField returns "" when got equals want (bit for bit, or within the
// lif_step tolerance for its float output) and a description otherwise.
func compareField(kernel string, got, want Field) string {
	if got.Name != want.Name || got.DType != want.DType {
		return fmt.Sprintf("output %s %s, want %s %s", got.Name, got.DType, want.Name, want.DType)
	}
	if sameShape("got", got.Shape, "want", want.Shape) != nil {
		return fmt.Sprintf("%s shape %v, want %v", got.Name, got.Shape, want.Shape)
	}
	if want.Err != nil {
		return fmt.Sprintf("expected %s is unreadable: %v", want.Name, want.Err)
	}
	switch want.DType {
	case "u64":
		return firstMismatch(got.Name, got.U64, want.U64)
	case "i64":
		return firstMismatch(got.Name, got.I64, want.I64)
	case "u8":
		return firstMismatch(got.Name, got.U8, want.U8)
	case "f64":
		for k := range want.F64 {
			g, w := got.F64[k], want.F64[k]
			same := math.Float64bits(g) == math.Float64bits(w)
			if kernel == "lif_step" {
				same = closeEnough(g, w)
			}
			if !same {
				return fmt.Sprintf("%s[%d] = %v (%016x), want %v (%016x)", got.Name, k, g,
					math.Float64bits(g), w, math.Float64bits(w))
			}
		}
	default:
		return fmt.Sprintf("unknown dtype %s", want.DType)
	}
	return ""
}

// checkGoldenFile runs every case of a golden file and lists the problems:
// a valid case whose outputs differ or that is refused, an invalid case
// that is answered.
func checkGoldenFile(path string) (int, []string) {
	g, err := ReadGoldenFile(path)
	if err != nil {
		return 0, []string{err.Error()}
	}
	var problems []string
	report := func(c Case, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s case %d (%s): %s", filepath.Base(path), c.ID,
			c.Comment, fmt.Sprintf(format, args...)))
	}
	for _, c := range g.Cases {
		outputs, err := RunKernel(g.Kernel, c.Inputs)
		var verr *ValidationError
		switch {
		case err != nil && !errors.As(err, &verr):
			report(c, "error %v", err)
		case c.Result == "invalid" && err == nil:
			report(c, "invalid case was answered")
		case c.Result == "valid" && err != nil:
			report(c, "valid case refused: %v", err)
		case c.Result == "valid":
			outputs = OrderLike(outputs, c.Outputs)
			if len(outputs) != len(c.Outputs) {
				report(c, "%d outputs, want %d", len(outputs), len(c.Outputs))
				continue
			}
			for k := range outputs {
				if msg := compareField(g.Kernel, outputs[k], c.Outputs[k]); msg != "" {
					report(c, "%s", msg)
				}
			}
		case c.Result != "invalid":
			report(c, "result line missing")
		}
	}
	return len(g.Cases), problems
}

// TestGoldenVectors checks every case of every kernel's parity/golden/<kernel>.txt.
// It fails (never skips) when the folder or a kernel's file is missing. The
// folder also holds the safety-mirror files (splitmix.txt, ...), which are
// not kernels and are checked by pytest and rust/mirror, not here.
func TestGoldenVectors(t *testing.T) {
	goldenDir := goldenDir()
	if _, err := os.Stat(goldenDir); err != nil {
		t.Fatalf("golden folder %s is missing (run `python -m parity regen`): %v", goldenDir, err)
	}
	var files []string
	for _, k := range Kernels {
		path := filepath.Join(goldenDir, k+".txt")
		if _, err := os.Stat(path); err != nil {
			t.Errorf("no golden file for kernel %s in %s", k, goldenDir)
			continue
		}
		files = append(files, path)
	}
	for _, path := range files {
		n, problems := checkGoldenFile(path)
		for _, p := range problems {
			t.Error(p)
		}
		if n == 0 {
			t.Errorf("%s holds no cases", path)
		}
		t.Logf("%s: %d cases, %d problems", filepath.Base(path), n, len(problems))
	}
}

// writeGolden writes a small golden file whose expected outputs are computed
// by the naive (bit by bit) definitions in kernels_test.go, not by the
// kernels under test.
func writeGolden(t *testing.T, tamper bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sc_forward.txt")
	f, err := os.Create(path)
	mustOK(t, "create", err)
	w := bufio.NewWriter(f)
	w.WriteString("# small file written by the Go tests\n\nkernel sc_forward\n")
	weights := []uint64{0x0123456789ABCDEF, ^uint64(0), 0xF0F0F0F0F0F0F0F0, 0x5555, 7, 1 << 63}
	probs := []float64{0, 1, 0.3}
	want := naiveForward(weights, 2, 3, probs, 40, 65535)
	if tamper {
		want[1] = math.Nextafter(want[1], 2)
	}
	w.WriteString("case 3\ncomment seed 65535 wraps to 0 for input 1\nresult valid\n")
	for _, fld := range []Field{
		{Name: "weights", DType: "u64", Shape: []int{2, 3, 1}, U64: weights},
		{Name: "probs", DType: "f64", Shape: []int{3}, F64: probs},
		{Name: "length", DType: "i64", Shape: []int{}, I64: []int64{40}},
		{Name: "seed", DType: "i64", Shape: []int{}, I64: []int64{65535}},
	} {
		mustOK(t, "format", FormatField(w, "in", fld))
		w.WriteString("\n")
	}
	mustOK(t, "format", FormatField(w, "out", Field{Name: "out", DType: "f64", Shape: []int{2}, F64: want}))
	w.WriteString("\nend\n")
	// An invalid case: NaN probability, given as its bit pattern.
	w.WriteString("case 4\ncomment NaN probability\nresult invalid\nflags NonFinite\n" +
		"in weights u64 3 1 1 1 : 5\nin probs f64 1 1 : 7ff8000000000000\n" +
		"in length i64 0 : 10\nin seed i64 0 : 44257\nend\n")
	// An invalid case whose weights carry the wrong dtype.
	w.WriteString("case 7\ncomment f64 weights\nresult invalid\nflags WrongType\n" +
		"in weights f64 3 1 1 1 : 3ff0000000000000\nin probs f64 1 1 : 3fe0000000000000\n" +
		"in length i64 0 : 10\nin seed i64 0 : 44257\nend\n")
	mustOK(t, "flush", w.Flush())
	mustOK(t, "close", f.Close())
	return path
}

func TestGoldenReaderAndCheckerOnSmallFile(t *testing.T) {
	path := writeGolden(t, false)
	g, err := ReadGoldenFile(path)
	mustOK(t, "ReadGoldenFile", err)
	if g.Kernel != "sc_forward" || len(g.Cases) != 3 {
		t.Fatalf("read kernel %q with %d cases", g.Kernel, len(g.Cases))
	}
	c := g.Cases[0]
	if c.ID != 3 || c.Result != "valid" || len(c.Inputs) != 4 || len(c.Outputs) != 1 ||
		c.Comment != "seed 65535 wraps to 0 for input 1" {
		t.Fatalf("case read as %+v", c)
	}
	if c.Inputs[0].U64[5] != 1<<63 || c.Inputs[1].F64[2] != 0.3 || len(c.Inputs[2].Shape) != 0 {
		t.Fatalf("values read wrongly: %+v", c.Inputs)
	}
	if !math.IsNaN(g.Cases[1].Inputs[1].F64[0]) || g.Cases[1].Result != "invalid" ||
		len(g.Cases[1].Flags) != 1 || g.Cases[1].Flags[0] != "NonFinite" || c.Flags != nil {
		t.Fatalf("NaN case read wrongly: %+v", g.Cases[1])
	}
	n, problems := checkGoldenFile(path)
	if n != 3 || len(problems) != 0 {
		t.Fatalf("%d cases, problems: %v", n, problems)
	}
	// A wrong expected value must be reported.
	if _, problems := checkGoldenFile(writeGolden(t, true)); len(problems) != 1 {
		t.Fatalf("tampered file: want one problem, got %v", problems)
	}
}

func TestGoldenReaderRejectsBrokenFiles(t *testing.T) {
	for name, text := range map[string]string{
		"unclosed case":   "kernel not\ncase 1\nresult valid\nin a u64 1 1 : 5\n",
		"no kernel":       "case 1\nresult invalid\nend\n",
		"bad id":          "kernel not\ncase -2\nend\n",
		"duplicate id":    "kernel not\ncase 1\nend\ncase 1\nend\n",
		"ndim mismatch":   "kernel not\ncase 1\nin a u64 2 1 : 5\nend\n",
		"unknown keyword": "kernel not\ncase 1\nfoo bar\nend\n",
	} {
		if _, err := ReadGolden(strings.NewReader(text)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Bad values are kept per field, so the case is refused, not the file.
	g, err := ReadGolden(strings.NewReader("kernel pack\ncase 1\nresult invalid\n" +
		"in bits u8 1 3 : 0 1 256\nend\ncase 2\nresult invalid\nin bits u8 1 3 : 0 1\nend\n"))
	mustOK(t, "ReadGolden", err)
	for _, c := range g.Cases {
		if c.Inputs[0].Err == nil {
			t.Errorf("case %d: bad values accepted", c.ID)
		}
		if _, err := RunKernel("pack", c.Inputs); err == nil {
			t.Errorf("case %d answered", c.ID)
		}
	}
	// Long lines (beyond any default scanner buffer) are read whole.
	long := strings.Repeat(" 18446744073709551615", 50000)
	g, err = ReadGolden(strings.NewReader("kernel not\ncase 1\nresult valid\nin a u64 1 50000 :" + long + "\nend"))
	mustOK(t, "long line", err)
	if len(g.Cases[0].Inputs[0].U64) != 50000 || g.Cases[0].Inputs[0].Err != nil {
		t.Fatalf("long line read as %d values", len(g.Cases[0].Inputs[0].U64))
	}
}
