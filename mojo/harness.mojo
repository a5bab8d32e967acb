"""Parity harness of the Mojo mirror (parity/FORMAT.md, "Harness protocol").

    harness run <kernel> <golden file>
    harness bench sc_forward <n_out> <n_in> <length> <reps>

``run`` prints ``case <id> ok`` plus one ``out`` line per output, or
``case <id> invalid <reason>`` when a kernel refuses the inputs; exit status 0.
Exit status 2 means the harness could not run (bad arguments, unreadable or
malformed file, unsafe build).
"""

from std.memory import bitcast
from std.sys import argv, exit, stderr
from std.time import perf_counter_ns

from golden_io import (Case, get_f64, get_f64_scalar, get_i64_scalar, get_u64, get_u8,
                       read_golden, write_f64, write_u64, write_u8)
from sc_accel.forward import sc_forward, sc_forward_with
from sc_accel.lfsr import DEFAULT_SEED, LfsrTables, encode_with
from sc_accel.lif import fp_contraction_detected, lif_step
from sc_accel.ndarray import NDArray, shape_size
from sc_accel.packing import pack, unpack
from sc_accel.validation import n_words_for
from sc_accel.vector_ops import vec_and, vec_mux, vec_not, vec_popcount, vec_xnor



def _names(*names: StaticString) -> List[String]:
    var out = List[String]()
    for n in names:
        out.append(String(n))
    return out^


def kernel_names() -> List[String]:
    return _names("pack", "unpack", "popcount", "and", "xnor", "not", "mux", "encode",
                  "sc_forward", "lif_step", "encode_sobol", "sc_forward_sobol",
                  "encode_lfsr_pair", "sc_forward_lfsr_pair")


def run_case(kernel: String, c: Case, tables: LfsrTables) raises -> String:
    """Compute one case; raises (the case is invalid) when a kernel refuses it."""
    var s = String()
    if kernel == "pack":
        c.check_names(_names("bits"))
        write_u64(s, "packed", pack(get_u8(c, "bits")))
    elif kernel == "unpack":
        c.check_names(_names("packed", "n_bits"))
        write_u8(s, "bits", unpack(get_u64(c, "packed"), get_i64_scalar(c, "n_bits")))
    elif kernel == "popcount":
        c.check_names(_names("a"))
        write_u64(s, "counts", vec_popcount(get_u64(c, "a")))
    elif kernel == "and":
        c.check_names(_names("a", "b"))
        write_u64(s, "out", vec_and(get_u64(c, "a"), get_u64(c, "b")))
    elif kernel == "xnor":
        c.check_names(_names("a", "b"))
        write_u64(s, "out", vec_xnor(get_u64(c, "a"), get_u64(c, "b")))
    elif kernel == "not":
        c.check_names(_names("a"))
        write_u64(s, "out", vec_not(get_u64(c, "a")))
    elif kernel == "mux":
        c.check_names(_names("sel", "a", "b"))
        write_u64(s, "out", vec_mux(get_u64(c, "sel"), get_u64(c, "a"), get_u64(c, "b")))
    elif kernel == "encode":
        c.check_names(_names("probs", "length", "seed"))
        write_u64(s, "packed", encode_with(tables, get_f64(c, "probs"),
                                           get_i64_scalar(c, "length"),
                                           get_i64_scalar(c, "seed")))
    elif kernel.startswith("encode_"):
        # encode_<generator>: both sides of the generator, packed_input and packed_weight.
        var generator = String(kernel.removeprefix("encode_"))
        c.check_names(_names("probs", "length", "seed"))
        var probs = get_f64(c, "probs")
        var length = get_i64_scalar(c, "length")
        var seed = get_i64_scalar(c, "seed")
        var input = encode_with(tables, probs, length, seed, generator, "input")
        var weight = encode_with(tables, probs, length, seed, generator, "weight")
        write_u64(s, "packed_input", input)
        write_u64(s, "packed_weight", weight)
    elif kernel == "sc_forward" or kernel.startswith("sc_forward_"):
        # sc_forward, or sc_forward_<generator>: the inputs encoded by that generator.
        var generator = String("lfsr")
        if kernel != "sc_forward":
            generator = String(kernel.removeprefix("sc_forward_"))
        c.check_names(_names("weights", "probs", "length", "seed"))
        write_f64(s, "out", sc_forward_with(tables, get_u64(c, "weights"), get_f64(c, "probs"),
                                            get_i64_scalar(c, "length"),
                                            get_i64_scalar(c, "seed"), generator))
    elif kernel == "lif_step":
        c.check_names(_names("v", "i_t", "noise", "v_rest", "v_reset", "v_threshold",
                             "alpha", "resistance"))
        var r = lif_step(get_f64(c, "v"), get_f64(c, "i_t"), get_f64(c, "noise"),
                         get_f64_scalar(c, "v_rest"), get_f64_scalar(c, "v_reset"),
                         get_f64_scalar(c, "v_threshold"), get_f64_scalar(c, "alpha"),
                         get_f64_scalar(c, "resistance"))
        write_f64(s, "v", r.v)
        write_u8(s, "spike", r.spike)
    else:
        raise Error("unknown kernel '" + kernel + "'")
    return s^


def _one_line(msg: String) -> String:
    """The reason text on one line (newlines become spaces)."""
    return msg.replace("\n", " ").replace("\r", " ")


def cmd_run(kernel: String, path: String) raises:
    var known = False
    for k in kernel_names():
        if kernel == k:
            known = True
    if not known:
        raise Error("unknown kernel '" + kernel + "'")
    if kernel == "lif_step" and fp_contraction_detected():
        raise Error("this build fuses a*b+c into FMAs; rebuild with --fp-mode contract=off")
    var g = read_golden(path)
    if g.kernel.byte_length() != 0 and g.kernel != kernel:
        raise Error(path + " holds kernel '" + g.kernel + "', asked for '" + kernel + "'")
    var tables = LfsrTables()
    for c in g.cases:
        var text: String
        try:
            text = run_case(kernel, c, tables)
        except e:
            print("case", c.id, "invalid", _one_line(String(e)))
            continue
        print("case", c.id, "ok")
        print(text, end="")


struct SplitMix64:
    var state: UInt64

    def __init__(out self, seed: UInt64):
        self.state = seed

    def next(mut self) -> UInt64:
        self.state += 0x9E3779B97F4A7C15
        var z = self.state
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB
        return z ^ (z >> 31)


def _positive(text: String, what: String) raises -> Int:
    var n: Int
    try:
        n = Int(text)
    except:
        raise Error(what + " must be a positive integer, got '" + text + "'")
    if n < 1:
        raise Error(what + " must be a positive integer, got '" + text + "'")
    return n


def cmd_bench(n_out: Int, n_in: Int, length: Int, reps: Int) raises:
    var n_words = n_words_for(length)
    _ = shape_size([n_out, n_in, n_words])  # refuse absurd sizes before allocating
    var rng = SplitMix64(0x5C0DE)
    var wdata = List[UInt64](capacity=n_out * n_in * n_words)
    for _ in range(n_out * n_in * n_words):
        wdata.append(rng.next())
    var pdata = List[Float64](capacity=n_in)
    for _ in range(n_in):
        pdata.append(Float64(rng.next() >> 11) * (1.0 / 9007199254740992.0))  # 2^-53
    var weights = NDArray[DType.uint64]([n_out, n_in, n_words], wdata^)
    var probs = NDArray[DType.float64]([n_in], pdata^)
    # The encoder tables are built once per process, as the NumPy reference caches them.
    var tables = LfsrTables()
    var out = sc_forward_with(tables, weights, probs, length, DEFAULT_SEED)  # warm-up
    var times = List[Int](capacity=reps)
    for _ in range(reps):
        var t0 = perf_counter_ns()
        out = sc_forward_with(tables, weights, probs, length, DEFAULT_SEED)
        var t1 = perf_counter_ns()
        times.append(Int(t1 - t0))
    sort(times)
    var median = times[reps // 2]
    if reps % 2 == 0:
        median = (times[reps // 2 - 1] + times[reps // 2]) // 2
    var checksum: UInt64 = 0
    for x in out.data:
        checksum += bitcast[DType.uint64](x)
    print("median_ns", median)
    print("checksum", checksum)


def usage() -> String:
    return ("usage: harness run <kernel> <golden file>\n"
            + "       harness bench sc_forward <n_out> <n_in> <length> <reps>")


def main():
    var args = argv()
    try:
        if len(args) == 4 and args[1] == "run":
            cmd_run(String(args[2]), String(args[3]))
        elif len(args) == 7 and args[1] == "bench" and args[2] == "sc_forward":
            cmd_bench(_positive(String(args[3]), "n_out"), _positive(String(args[4]), "n_in"),
                      _positive(String(args[5]), "length"), _positive(String(args[6]), "reps"))
        else:
            print(usage(), file=stderr)
            exit(2)
    except e:
        print("harness error:", e, file=stderr)
        exit(2)
