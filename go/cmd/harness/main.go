// Command harness is the Go mirror's side of the parity protocol
// (parity/FORMAT.md):
//
//	harness run <kernel> <golden file>
//	harness bench sc_forward <n_out> <n_in> <length> <reps>
package main

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"sc-neurocore/mirror/sckernels"
)

const usage = "usage: harness run <kernel> <golden file>\n" +
	"       harness bench sc_forward <n_out> <n_in> <length> <reps>"

func main() {
	if err := mainErr(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

func mainErr(args []string) error {
	if len(args) == 3 && args[0] == "run" {
		return run(args[1], args[2])
	}
	if len(args) == 6 && args[0] == "bench" && args[1] == "sc_forward" {
		var dims [4]int
		for k := range dims {
			x, err := strconv.Atoi(args[2+k])
			if err != nil || x < 0 || (k >= 2 && x < 1) {
				return fmt.Errorf("bad bench argument %q\n%s", args[2+k], usage)
			}
			dims[k] = x
		}
		return bench(dims[0], dims[1], dims[2], dims[3])
	}
	return errors.New(usage)
}

// run answers every case of a golden file, in file order.
func run(kernel, path string) error {
	g, err := sckernels.ReadGoldenFile(path)
	if err != nil {
		return err
	}
	if g.Kernel != kernel {
		return fmt.Errorf("%s holds kernel %q, not %q", path, g.Kernel, kernel)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	for _, c := range g.Cases {
		outputs, err := sckernels.RunKernel(kernel, c.Inputs)
		var verr *sckernels.ValidationError
		if errors.As(err, &verr) {
			fmt.Fprintf(w, "case %d invalid %s\n", c.ID, oneLine(verr.Msg))
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "case %d ok\n", c.ID)
		for _, f := range sckernels.OrderLike(outputs, c.Outputs) {
			if err := sckernels.FormatField(w, "out", f); err != nil {
				return err
			}
			w.WriteByte('\n')
		}
	}
	return w.Flush()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// splitmix64 is the bench input generator of FORMAT.md.
type splitmix64 struct{ state uint64 }

func (s *splitmix64) next() uint64 {
	s.state += 0x9E3779B97F4A7C15
	z := s.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// bench times sc_forward on deterministic inputs and prints the median
// wall time of reps calls (after one warm-up) and the output checksum.
func bench(nOut, nIn, length, reps int) error {
	nWords := int(sckernels.NWordsFor(int64(length)))
	rng := splitmix64{state: 0x5C0DE}
	weights := sckernels.NDArray[uint64]{Shape: []int{nOut, nIn, nWords},
		Data: make([]uint64, nOut*nIn*nWords)}
	for k := range weights.Data {
		weights.Data[k] = rng.next()
	}
	probs := sckernels.NDArray[float64]{Shape: []int{nIn}, Data: make([]float64, nIn)}
	for k := range probs.Data {
		probs.Data[k] = float64(rng.next()>>11) * 0x1p-53
	}
	const seed = sckernels.DefaultSeed
	out, err := sckernels.ScForward(weights, probs, int64(length), seed)
	if err != nil {
		return err
	}
	times := make([]int64, reps)
	for r := range times {
		start := time.Now()
		out, err = sckernels.ScForward(weights, probs, int64(length), seed)
		times[r] = time.Since(start).Nanoseconds()
		if err != nil {
			return err
		}
	}
	sort.Slice(times, func(a, b int) bool { return times[a] < times[b] })
	median := times[reps/2]
	if reps%2 == 0 {
		median = (times[reps/2-1] + times[reps/2]) / 2
	}
	var checksum uint64
	for _, x := range out.Data {
		checksum += math.Float64bits(x)
	}
	fmt.Printf("median_ns %d\nchecksum %d\n", median, checksum)
	return nil
}
