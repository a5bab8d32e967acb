"""WGSL research mirror: host harness for the parity runner (parity/FORMAT.md).

Usage (cwd = wgsl/)::

    python harness.py run <kernel> <path/to/golden/kernel.txt>
    python harness.py bench sc_forward <n_out> <n_in> <length> <reps>

Every kernel runs in a WGSL compute shader through wgpu-py (on a CPU-only
host: Mesa's lavapipe Vulkan driver). This file only parses golden files,
validates inputs (the invalid classes of FORMAT.md are rejected here, on the
host, before anything is uploaded), uploads buffers, dispatches and reads the
results back. uint64 values travel as two u32 halves and float64 values as
their bit patterns in two u32 halves; see the shader files.

Exit codes: 0 ran (per-case verdicts on stdout), 1 could not run (bad
arguments, malformed golden file, device error), 2 no WebGPU adapter or no
wgpu package (toolchain missing; the install hint goes to stderr).
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from collections import namedtuple

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

INSTALL_HINT = ("pip install wgpu and apt-get install mesa-vulkan-drivers "
                "(a Vulkan driver; lavapipe runs on the CPU)")

KERNELS = ("pack", "unpack", "popcount", "and", "xnor", "not", "mux", "encode",
           "sc_forward", "lif_step")

# Shader sources per module: WGSL has no #include, so helper files are
# prepended to the kernel file.
MODULES = {
    "bitops": ("u64.wgsl", "bitops.wgsl"),
    "pack": ("u64.wgsl", "pack.wgsl"),
    "encode": ("u64.wgsl", "encode.wgsl"),
    "sc_forward": ("u64.wgsl", "softf64.wgsl", "sc_forward.wgsl"),
    "lif": ("u64.wgsl", "softf64.wgsl", "lif.wgsl"),
}

WORKGROUP = 64          # @workgroup_size of every per-item kernel

# Per-item kernels, per module: kernel -> its item count (a WGSL expression
# over the module's Params). The kernel file defines `fn <kernel>_item(k: u32)`
# for one item; the entry point `<kernel>_main` is generated here (per_item_entry),
# so the dispatch tiling of Gpu.grid is written once, next to it.
PER_ITEM = {
    "bitops": {"popcount": "prm.n", "and": "prm.n", "xnor": "prm.n", "not": "prm.n",
               "mux": "prm.n"},
    "pack": {"pack": "prm.n_items", "unpack": "prm.n_items"},
    "encode": {"encode": "prm.n_items"},
    "lif": {"lif_step": "prm.n"},
}


# pack.wgsl bindings per kernel: (output, input, output bytes per item).
PACK_LAYOUT = {"pack": (1, 2, 8), "unpack": (3, 4, 4)}


def per_item_entry(kernel: str, count: str) -> str:
    """WGSL of the entry point ``<kernel>_main``: one invocation per flat index
    ``k = gid.x + gid.y * (WORKGROUP * num_workgroups.x)`` (the two-dimensional
    tiling of ``Gpu.grid``), running ``<kernel>_item(k)`` for every ``k < count``."""
    return (f"@compute @workgroup_size({WORKGROUP})\n"
            f"fn {kernel}_main(@builtin(global_invocation_id) gid: vec3<u32>,\n"
            f"        @builtin(num_workgroups) nwg: vec3<u32>) {{\n"
            f"    let k = gid.x + gid.y * (nwg.x * {WORKGROUP}u);\n"
            f"    if (k < {count}) {{\n"
            f"        {kernel}_item(k);\n"
            f"    }}\n"
            f"}}\n")
SEED_LIMIT = 2**32
MAX_LENGTH = 2**31      # larger streams cannot be addressed with u32 bit indices


class Invalid(Exception):
    """The inputs break the contract: the case must be refused."""


class CannotRun(Exception):
    """The harness cannot run at all (exit 1)."""


class ToolchainMissing(Exception):
    """No wgpu package or no WebGPU adapter (exit 2)."""


Array = namedtuple("Array", "dtype shape data")  # data: ndarray or None (unknown dtype)


# --------------------------------------------------------------------------
# Golden file parsing
# --------------------------------------------------------------------------

def _int(token: str) -> int:
    """A decimal integer, or hexadecimal with a 0x prefix (FORMAT.md allows both)."""
    body = token[1:] if token[:1] in "+-" else token
    if body[:2].lower() == "0x":
        value = int(body[2:], 16)
        return -value if token[:1] == "-" else value
    return int(token, 10)


def _parse_values(dtype: str, tokens: list[str]) -> np.ndarray | None:
    if dtype == "u64":
        vals = [_int(t) for t in tokens]
        if any(v < 0 or v >= 2**64 for v in vals):
            raise ValueError("u64 value out of range")
        return np.array(vals, dtype=np.uint64)
    if dtype == "i64":
        vals = [_int(t) for t in tokens]
        if any(v < -2**63 or v >= 2**63 for v in vals):
            raise ValueError("i64 value out of range")
        return np.array(vals, dtype=np.int64)
    if dtype == "u8":
        vals = [_int(t) for t in tokens]
        if any(v < 0 or v > 255 for v in vals):
            raise ValueError("u8 value out of range")
        return np.array(vals, dtype=np.uint8)
    if dtype == "f64":
        if any(len(t) != 16 for t in tokens):
            raise ValueError("f64 values must be 16 hex digits")
        return np.array([int(t, 16) for t in tokens], dtype=np.uint64).view(np.float64)
    return None  # a dtype this harness does not know: validation rejects it


def parse_array(text: str) -> tuple[str, Array]:
    """``<name> <dtype> <ndim> <dims…> : <values…>`` → (name, Array)."""
    head, sep, values = text.partition(":")
    fields = head.split()
    if not sep or len(fields) < 3:
        raise ValueError("expected '<name> <dtype> <ndim> <dims> : <values>'")
    name, dtype, ndim = fields[0], fields[1], int(fields[2])
    dims = tuple(int(d) for d in fields[3:])
    if ndim < 0 or len(dims) != ndim or any(d < 0 for d in dims):
        raise ValueError(f"bad shape for {name}")
    tokens = values.split()
    size = math.prod(dims)
    if len(tokens) != size:
        raise ValueError(f"{name}: {len(tokens)} values for shape {dims}")
    data = _parse_values(dtype, tokens)
    if data is not None:
        data = data.reshape(dims)
    return name, Array(dtype, dims, data)


def parse_golden(path: str) -> tuple[str | None, list[tuple[str, dict]]]:
    """Return (kernel named in the file, [(case id, {input name: Array})])."""
    kernel = None
    cases: list[tuple[str, dict]] = []
    current: tuple[str, dict] | None = None
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise CannotRun(f"cannot read {path}: {exc}") from None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        try:
            if word == "kernel":
                kernel = rest.strip()
            elif word == "case":
                if current is not None:
                    raise ValueError("'case' before 'end'")
                current = (rest.strip(), {})
            elif word in ("comment", "result", "flags", "out"):  # flags: why a case is invalid
                if current is None:
                    raise ValueError(f"'{word}' outside a case")
            elif word == "in":
                if current is None:
                    raise ValueError("'in' outside a case")
                name, arr = parse_array(rest)
                current[1][name] = arr
            elif word == "end":
                if current is None:
                    raise ValueError("'end' outside a case")
                cases.append(current)
                current = None
            else:
                raise ValueError(f"unknown line type {word!r}")
        except ValueError as exc:
            raise CannotRun(f"{path}:{lineno}: {exc}") from None
    if current is not None:
        raise CannotRun(f"{path}: case {current[0]} has no 'end'")
    return kernel, cases


# --------------------------------------------------------------------------
# Host-side validation (FORMAT.md invalid classes; docs/design.md#errors)
# --------------------------------------------------------------------------

def need(inputs: dict, name: str, dtype: str, ndims: tuple[int, ...] | None = None) -> np.ndarray:
    if name not in inputs:
        raise Invalid(f"missing input {name}")
    arr = inputs[name]
    if arr.dtype != dtype or arr.data is None:
        raise Invalid(f"{name} must have dtype {dtype}, got {arr.dtype}")
    if ndims is not None and len(arr.shape) not in ndims:
        forms = " or ".join(f"{d}-D" for d in ndims)
        raise Invalid(f"{name} must be {forms}, got shape {arr.shape}")
    return arr.data


def need_same_shape(inputs: dict, dtype: str, *names: str) -> list[np.ndarray]:
    """``need`` for each name, then the same shape as the first one."""
    arrays = [need(inputs, name, dtype) for name in names]
    for name, arr in zip(names[1:], arrays[1:]):
        same_shape(names[0], arrays[0], name, arr)
    return arrays


def need_int(inputs: dict, name: str) -> int:
    return int(need(inputs, name, "i64", (0,)))


def need_f64_scalar(inputs: dict, name: str) -> float:
    value = float(need(inputs, name, "f64", (0,)))
    if not math.isfinite(value):
        raise Invalid(f"{name} must be finite, got {value}")
    return value


def check_probs(probs: np.ndarray, name: str = "probs") -> None:
    if not np.isfinite(probs).all():
        raise Invalid(f"{name} must be finite")
    if not ((probs >= 0.0) & (probs <= 1.0)).all():
        raise Invalid(f"{name} must be in [0, 1]")


def check_length_seed(inputs: dict) -> tuple[int, int]:
    length = need_int(inputs, "length")
    if length <= 0:
        raise Invalid(f"length must be a positive int, got {length}")
    seed = need_int(inputs, "seed")
    if not 0 <= seed < SEED_LIMIT:
        raise Invalid(f"seed must be an int in [0, 2**32), got {seed}")
    if length > MAX_LENGTH:
        raise CannotRun(f"length {length} is larger than this mirror handles ({MAX_LENGTH})")
    return length, seed


def same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise Invalid(f"{name_a} and {name_b} must have the same shape, "
                      f"got {a.shape} and {b.shape}")


def n_words_for(n_bits: int) -> int:
    return (n_bits + 63) // 64


# --------------------------------------------------------------------------
# Device
# --------------------------------------------------------------------------

class Gpu:
    """One wgpu device with cached pipelines; every kernel entry point."""

    def __init__(self) -> None:
        try:
            import wgpu
        except ImportError:
            raise ToolchainMissing("the wgpu Python package is not installed") from None
        self.wgpu = wgpu
        try:
            adapter = wgpu.gpu.request_adapter_sync(power_preference="high-performance")
        except Exception as exc:  # wgpu raises when no Vulkan/Metal/DX12 driver is found
            detail = " ".join(str(exc).split())
            raise ToolchainMissing(f"no WebGPU adapter found ({detail})") from None
        if adapter is None:
            raise ToolchainMissing("no WebGPU adapter found")
        limits = adapter.limits
        max_buffer = int(limits["max-buffer-size"])
        binding = min(int(limits["max-storage-buffer-binding-size"]), max_buffer)
        self.device = adapter.request_device_sync(required_limits={
            "max-storage-buffer-binding-size": binding,
            "max-buffer-size": max_buffer,
        })
        self.adapter_info = dict(adapter.info)
        # Keep byte sizes addressable with u32 word indices in the shaders.
        self.max_binding = min(binding, 2**31)
        self.max_groups = int(limits["max-compute-workgroups-per-dimension"])
        self._modules: dict = {}
        self._pipelines: dict = {}
        self._lfsr = None

    # -- plumbing ----------------------------------------------------------

    def pipeline(self, module: str, entry: str):
        key = (module, entry)
        if key not in self._pipelines:
            if module not in self._modules:
                source = "\n".join(
                    [_read_text(os.path.join(HERE, f)) for f in MODULES[module]]
                    + [per_item_entry(k, n) for k, n in PER_ITEM.get(module, {}).items()])
                self._modules[module] = self.device.create_shader_module(
                    label=module, code=source)
            self._pipelines[key] = self.device.create_compute_pipeline(
                label=entry, layout=self.wgpu.AutoLayoutMode.auto,
                compute={"module": self._modules[module], "entry_point": entry})
        return self._pipelines[key]

    def buffer_in(self, data) -> object:
        arr = np.ascontiguousarray(data)
        if arr.nbytes >= 16 and arr.nbytes % 4 == 0:
            raw = arr.reshape(-1).view(np.uint8)  # uploaded as is, no extra copy
        else:
            raw = bytes(memoryview(arr.reshape(-1).view(np.uint8)))
            raw += b"\0" * (max(16, len(raw) + (-len(raw)) % 4) - len(raw))
        return self.device.create_buffer_with_data(data=raw, usage=self.wgpu.BufferUsage.STORAGE)

    def buffer_out(self, nbytes: int) -> object:
        size = max(16, nbytes + (-nbytes) % 4)
        return self.device.create_buffer(
            size=size, usage=self.wgpu.BufferUsage.STORAGE | self.wgpu.BufferUsage.COPY_SRC)

    def uniform(self, raw: bytes) -> object:
        raw = raw + b"\0" * ((-len(raw)) % 16)
        return self.device.create_buffer_with_data(data=raw, usage=self.wgpu.BufferUsage.UNIFORM)

    def grid(self, n_groups: int) -> tuple[int, int]:
        """Tile ``n_groups`` workgroups over x and y (<= max per dimension each)."""
        gx = max(1, min(n_groups, self.max_groups))
        gy = max(1, -(-n_groups // gx))
        if gy > self.max_groups:
            raise CannotRun(f"{n_groups} workgroups exceed the dispatch limits")
        return gx, gy

    def add_pass(self, encoder, module: str, entry: str, buffers: dict, n_groups: int) -> None:
        pipe = self.pipeline(module, entry)
        bind_group = self.device.create_bind_group(
            layout=pipe.get_bind_group_layout(0),
            entries=[{"binding": b, "resource": {"buffer": buf, "offset": 0, "size": buf.size}}
                     for b, buf in sorted(buffers.items())])
        cpass = encoder.begin_compute_pass()
        cpass.set_pipeline(pipe)
        cpass.set_bind_group(0, bind_group)
        gx, gy = self.grid(n_groups)
        cpass.dispatch_workgroups(gx, gy, 1)
        cpass.end()

    def submit(self, encoder) -> None:
        self.device.queue.submit([encoder.finish()])

    def read(self, buf, nbytes: int) -> bytes:
        return bytes(self.device.queue.read_buffer(buf))[:nbytes]

    def rows_per_chunk(self, *row_bytes: int) -> int:
        biggest = max(1, *row_bytes)
        if biggest > self.max_binding:
            raise CannotRun(f"one row needs {biggest} bytes, more than the device's "
                            f"{self.max_binding}-byte storage binding limit")
        return max(1, self.max_binding // biggest)

    # -- per-word kernels --------------------------------------------------

    def run_items(self, module: str, kernel: str, bufs: dict, items: int) -> None:
        """Run the per-item kernel ``<kernel>_main`` (PER_ITEM) over ``items`` items, in one
        submit of its own."""
        enc = self.device.create_command_encoder()
        self.add_pass(enc, module, f"{kernel}_main", bufs, -(-items // WORKGROUP))
        self.submit(enc)

    def elementwise(self, kernel: str, operands: dict, shape: tuple) -> np.ndarray:
        """Run a bitops.wgsl kernel on same-shape uint64 operands ``{binding: array}``."""
        flat = {b: np.ascontiguousarray(a).reshape(-1) for b, a in operands.items()}
        n = math.prod(shape)
        out = np.empty(n, dtype=np.uint64)
        step = self.rows_per_chunk(8)
        for start in range(0, n, step):
            stop = min(n, start + step)
            count = stop - start
            bufs = {b: self.buffer_in(a[start:stop]) for b, a in flat.items()}
            bufs[0] = self.uniform(np.array([count, 0, 0, 0], dtype=np.uint32).tobytes())
            bufs[1] = self.buffer_out(count * 8)
            self.run_items("bitops", kernel, bufs, count)
            out[start:stop] = np.frombuffer(self.read(bufs[1], count * 8), dtype="<u8")
        return out.reshape(shape)

    def pack_pass(self, kernel: str, chunk: np.ndarray, n_bits: int, n_words: int,
                  items: int, read_bytes: int) -> bytes:
        """One pack.wgsl dispatch (``pack`` or ``unpack``) over a chunk of rows; returns the
        first ``read_bytes`` bytes of its output."""
        out_at, in_at, item_bytes = PACK_LAYOUT[kernel]
        bufs = {0: self.uniform(np.array([chunk.shape[0], n_bits, n_words, items],
                                         dtype=np.uint32).tobytes()),
                out_at: self.buffer_out(items * item_bytes), in_at: self.buffer_in(chunk)}
        self.run_items("pack", kernel, bufs, items)
        return self.read(bufs[out_at], read_bytes)

    def pack(self, bits: np.ndarray) -> np.ndarray:
        """bits (rows, n_bits) uint8 0/1 → (rows, ceil(n_bits/64)) uint64."""
        rows, n_bits = bits.shape
        n_words = n_words_for(n_bits)
        out = np.empty((rows, n_words), dtype=np.uint64)
        if out.size == 0:
            return out
        step = self.rows_per_chunk(n_bits, n_words * 8)
        for start in range(0, rows, step):
            chunk = bits[start:start + step]
            nr = chunk.shape[0]
            raw = self.pack_pass("pack", chunk, n_bits, n_words, nr * n_words, nr * n_words * 8)
            out[start:start + nr] = np.frombuffer(raw, dtype="<u8").reshape(nr, n_words)
        return out

    def unpack(self, packed: np.ndarray, n_bits: int) -> np.ndarray:
        """packed (rows, W) uint64 → (rows, n_bits) uint8."""
        rows, n_words = packed.shape
        out = np.empty((rows, n_bits), dtype=np.uint8)
        if out.size == 0:
            return out
        step = self.rows_per_chunk(n_bits + 4, n_words * 8)
        for start in range(0, rows, step):
            chunk = packed[start:start + step]
            nr = chunk.shape[0]
            total = nr * n_bits
            raw = self.pack_pass("unpack", chunk, n_bits, n_words, -(-total // 4), total)
            out[start:start + nr] = np.frombuffer(raw, dtype=np.uint8).reshape(nr, n_bits)
        return out

    # -- encoder and sc_forward --------------------------------------------

    def lfsr_tables(self):
        """Device buffers (seq, pos) of the LFSR cycle, built once by a shader."""
        if self._lfsr is None:
            seq = self.buffer_out(65535 * 4)
            pos = self.buffer_out(65536 * 4)
            enc = self.device.create_command_encoder()
            self.add_pass(enc, "encode", "lfsr_table_main", {5: seq, 6: pos}, 1)
            self.submit(enc)
            self._lfsr = (seq, pos)
        return self._lfsr

    def encode_pass(self, enc, probs_flat: np.ndarray, n_inputs: int, length: int,
                    seed: int, stream_offset: int):
        """Record an encode pass for the streams ``probs_flat``; returns the output buffer."""
        seq, pos = self.lfsr_tables()
        n_words = n_words_for(length)
        items = probs_flat.size * n_words
        params = np.array([n_inputs, n_words, length, seed, items, stream_offset % n_inputs,
                           0, 0], dtype=np.uint32)
        out = self.buffer_out(items * 8)
        bufs = {0: self.uniform(params.tobytes()), 1: out, 2: self.buffer_in(probs_flat),
                3: seq, 4: pos}
        self.add_pass(enc, "encode", "encode_main", bufs, -(-items // WORKGROUP))
        return out

    def encode(self, probs: np.ndarray, length: int, seed: int) -> np.ndarray:
        """probs (..., n) float64 → (..., n, W) uint64."""
        n_inputs = probs.shape[-1]
        n_words = n_words_for(length)
        flat = np.ascontiguousarray(probs, dtype=np.float64).reshape(-1)
        out = np.empty((flat.size, n_words), dtype=np.uint64)
        if out.size:
            step = self.rows_per_chunk(n_words * 8)
            for start in range(0, flat.size, step):
                chunk = flat[start:start + step]
                enc = self.device.create_command_encoder()
                buf = self.encode_pass(enc, chunk, n_inputs, length, seed, start)
                self.submit(enc)
                out[start:start + chunk.size] = np.frombuffer(
                    self.read(buf, chunk.size * n_words * 8), dtype="<u8").reshape(-1, n_words)
        return out.reshape(probs.shape + (n_words,))

    def sc_forward(self, weights: np.ndarray, probs2d: np.ndarray, length: int,
                   seed: int) -> np.ndarray:
        """weights (n_out, n_in, W) uint64, probs (batch, n_in) → (batch, n_out) float64.

        Encoding, AND-popcount and the count/length division all run in
        shaders; the host uploads, dispatches and reads the float64 bits back.
        """
        n_out, n_in, n_words = weights.shape
        batch = probs2d.shape[0]
        out = np.zeros((batch, n_out), dtype=np.uint64)
        if out.size == 0:
            return out.view(np.float64)
        per_row = n_in * n_words
        if per_row == 0:
            # n_in == 0: every count is 0 and 0 / length is +0.0; no words to stream.
            return out.view(np.float64)
        row_bytes = per_row * 8
        w_step = self.rows_per_chunk(row_bytes)
        b_step = min(self.rows_per_chunk(row_bytes), self.rows_per_chunk(n_out * 8))
        weight_chunks = [(s, self.buffer_in(weights[s:s + w_step]))
                         for s in range(0, n_out, w_step)]
        for b0 in range(0, batch, b_step):
            chunk = probs2d[b0:b0 + b_step]
            nb = chunk.shape[0]
            enc = self.device.create_command_encoder()
            x_buf = self.encode_pass(enc, chunk.reshape(-1), n_in, length, seed, 0)
            rates = self.buffer_out(nb * n_out * 8)
            for r0, w_buf in weight_chunks:
                rows = min(w_step, n_out - r0)
                params = np.array([per_row, rows, nb, length & 0xFFFFFFFF, length >> 32,
                                   n_out, r0, 0], dtype=np.uint32)
                bufs = {0: self.uniform(params.tobytes()), 1: rates, 2: w_buf, 3: x_buf}
                self.add_pass(enc, "sc_forward", "sc_forward_main", bufs, rows * nb)
            self.submit(enc)
            out[b0:b0 + nb] = np.frombuffer(self.read(rates, nb * n_out * 8),
                                            dtype="<u8").reshape(nb, n_out)
        return out.view(np.float64)

    # -- LIF ------------------------------------------------------------------

    def lif_step(self, v, i_t, noise, v_rest, v_reset, v_threshold, alpha, resistance):
        shape = v.shape
        flat = [np.ascontiguousarray(a, dtype=np.float64).reshape(-1) for a in (v, i_t, noise)]
        n = flat[0].size
        v_new = np.empty(n, dtype=np.uint64)
        spikes = np.empty(n, dtype=np.uint8)
        scalars = np.array([v_rest, v_reset, v_threshold, alpha, resistance, 0.0],
                           dtype=np.float64).view(np.uint64)
        step = self.rows_per_chunk(8)
        for start in range(0, n, step):
            stop = min(n, start + step)
            count = stop - start
            params = np.array([count, 0], dtype=np.uint32).tobytes() + scalars.astype("<u8").tobytes()
            bufs = {0: self.uniform(params), 1: self.buffer_out(count * 8),
                    2: self.buffer_out(count * 4)}
            for b, arr in zip((3, 4, 5), flat):
                bufs[b] = self.buffer_in(arr[start:stop])
            self.run_items("lif", "lif_step", bufs, count)
            v_new[start:stop] = np.frombuffer(self.read(bufs[1], count * 8), dtype="<u8")
            spikes[start:stop] = np.frombuffer(self.read(bufs[2], count * 4), dtype="<u4")
        return v_new.view(np.float64).reshape(shape), spikes.reshape(shape)


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


# --------------------------------------------------------------------------
# Kernels: validate, run on the device, name the outputs
# --------------------------------------------------------------------------

def k_pack(gpu: Gpu, inp: dict):
    bits = need(inp, "bits", "u8", (1, 2))
    if bits.size and not ((bits == 0) | (bits == 1)).all():
        raise Invalid("bits must contain only 0 and 1")
    rows = bits if bits.ndim == 2 else bits.reshape(1, bits.shape[0])
    packed = gpu.pack(np.ascontiguousarray(rows, dtype=np.uint8))
    shape = bits.shape[:-1] + (n_words_for(bits.shape[-1]),)
    return [("packed", "u64", packed.reshape(shape))]


def k_unpack(gpu: Gpu, inp: dict):
    packed = need(inp, "packed", "u64", (1, 2))
    n_bits = need_int(inp, "n_bits")
    if n_bits < 0:
        raise Invalid(f"n_bits must be >= 0, got {n_bits}")
    if n_words_for(n_bits) > packed.shape[-1]:
        raise Invalid(f"n_bits = {n_bits} needs {n_words_for(n_bits)} words per row, "
                      f"packed has {packed.shape[-1]}")
    rows = packed if packed.ndim == 2 else packed.reshape(1, packed.shape[0])
    bits = gpu.unpack(np.ascontiguousarray(rows), n_bits)
    shape = packed.shape[:-1] + (n_bits,)
    return [("bits", "u8", bits.reshape(shape))]


def _per_word(kernel: str, out_name: str, *operands: tuple[str, int]):
    """Runner of a bitops.wgsl kernel: same-shape uint64 inputs ``(name, binding)``, one
    uint64 output ``out_name`` of their shape."""
    def run(gpu: Gpu, inp: dict):
        arrays = need_same_shape(inp, "u64", *(name for name, _ in operands))
        bound = {binding: arr for (_, binding), arr in zip(operands, arrays)}
        return [(out_name, "u64", gpu.elementwise(kernel, bound, arrays[0].shape))]
    return run


def k_encode(gpu: Gpu, inp: dict):
    probs = need(inp, "probs", "f64", (1, 2))
    check_probs(probs)
    length, seed = check_length_seed(inp)
    return [("packed", "u64", gpu.encode(probs, length, seed))]


def k_sc_forward(gpu: Gpu, inp: dict):
    weights = need(inp, "weights", "u64", (3,))
    probs = need(inp, "probs", "f64", (1, 2))
    check_probs(probs)
    length, seed = check_length_seed(inp)
    n_out, n_in, n_words = weights.shape
    if n_words != n_words_for(length):
        raise Invalid(f"weights must have n_words = ceil(length / 64) = {n_words_for(length)}, "
                      f"got shape {weights.shape}")
    if probs.shape[-1] != n_in:
        raise Invalid(f"probs must have n_in = {n_in} values per row, got shape {probs.shape}")
    probs2d = probs if probs.ndim == 2 else probs.reshape(1, n_in)
    out = gpu.sc_forward(np.ascontiguousarray(weights), np.ascontiguousarray(probs2d),
                         length, seed)
    return [("out", "f64", out[0] if probs.ndim == 1 else out)]


def k_lif_step(gpu: Gpu, inp: dict):
    v, i_t, noise = need_same_shape(inp, "f64", "v", "i_t", "noise")
    for name, arr in (("v", v), ("i_t", i_t), ("noise", noise)):
        if not np.isfinite(arr).all():
            raise Invalid(f"{name} must be finite")
    scal = {n: need_f64_scalar(inp, n)
            for n in ("v_rest", "v_reset", "v_threshold", "alpha", "resistance")}
    if not scal["alpha"] > 0.0:
        raise Invalid(f"alpha must be > 0, got {scal['alpha']}")
    v_new, spikes = gpu.lif_step(v, i_t, noise, scal["v_rest"], scal["v_reset"],
                                 scal["v_threshold"], scal["alpha"], scal["resistance"])
    return [("v", "f64", v_new), ("spike", "u8", spikes)]


RUNNERS = {
    "pack": k_pack, "unpack": k_unpack,
    "popcount": _per_word("popcount", "counts", ("a", 2)),
    "and": _per_word("and", "out", ("a", 2), ("b", 3)),
    "xnor": _per_word("xnor", "out", ("a", 2), ("b", 3)),
    "not": _per_word("not", "out", ("a", 2)),
    "mux": _per_word("mux", "out", ("sel", 4), ("a", 2), ("b", 3)),
    "encode": k_encode, "sc_forward": k_sc_forward, "lif_step": k_lif_step,
}


def format_out(name: str, dtype: str, arr: np.ndarray) -> str:
    arr = np.asarray(arr)
    if dtype == "f64":
        values = [format(v, "016x") for v in arr.astype(np.float64).reshape(-1).view(np.uint64).tolist()]
    else:
        values = [str(v) for v in arr.reshape(-1).tolist()]
    head = ["out", name, dtype, str(arr.ndim)] + [str(d) for d in arr.shape] + [":"]
    return " ".join(head + values)


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------

def cmd_run(kernel: str, path: str) -> int:
    if kernel not in RUNNERS:
        raise CannotRun(f"unknown kernel {kernel!r}; expected one of {', '.join(KERNELS)}")
    file_kernel, cases = parse_golden(path)
    if file_kernel is not None and file_kernel != kernel:
        raise CannotRun(f"{path} holds kernel {file_kernel!r}, not {kernel!r}")
    gpu = Gpu()
    lines: list[str] = []
    for case_id, inputs in cases:
        try:
            outputs = RUNNERS[kernel](gpu, inputs)
        except Invalid as exc:
            reason = " ".join(str(exc).split()) or "rejected"
            lines.append(f"case {case_id} invalid {reason}")
            continue
        lines.append(f"case {case_id} ok")
        lines.extend(format_out(*o) for o in outputs)
    sys.stdout.write("\n".join(lines) + ("\n" if lines else ""))
    return 0


MASK64 = (1 << 64) - 1


def splitmix64(state: int, count: int) -> np.ndarray:
    """The next ``count`` outputs of splitmix64 from ``state`` (FORMAT.md), vectorised."""
    k = np.arange(1, count + 1, dtype=np.uint64)
    z = np.uint64(state) + k * np.uint64(0x9E3779B97F4A7C15)  # wraps mod 2^64
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def cmd_bench(args: list[str]) -> int:
    if len(args) != 5 or args[0] != "sc_forward":
        raise CannotRun("usage: harness.py bench sc_forward <n_out> <n_in> <length> <reps>")
    try:
        n_out, n_in, length, reps = (int(a) for a in args[1:])
    except ValueError:
        raise CannotRun("bench sizes must be integers") from None
    if min(n_out, n_in, length, reps) <= 0 or length > MAX_LENGTH:
        raise CannotRun("bench sizes must be positive (length <= 2**31)")
    n_words = n_words_for(length)
    n_weights = n_out * n_in * n_words
    stream = splitmix64(0x5C0DE, n_weights + n_in)
    weights = stream[:n_weights].reshape(n_out, n_in, n_words)
    probs = ((stream[n_weights:] >> np.uint64(11)).astype(np.float64) * 2.0**-53).reshape(1, n_in)
    seed = 44257
    gpu = Gpu()
    out = gpu.sc_forward(weights, probs, length, seed)  # warm-up: pipelines, LFSR table
    times = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        out = gpu.sc_forward(weights, probs, length, seed)
        times.append(time.perf_counter_ns() - t0)
    checksum = sum(out.reshape(-1).view(np.uint64).tolist()) & MASK64
    print(f"median_ns {int(statistics.median(times))}")
    print(f"checksum {checksum}")
    print(f"# device: {gpu.adapter_info.get('device', '?')} "
          f"({gpu.adapter_info.get('backend_type', '?')}); time per call = upload of weights "
          f"and probs + encode and sc_forward dispatches + readback", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    try:
        if len(argv) == 3 and argv[0] == "run":
            return cmd_run(argv[1], argv[2])
        if argv and argv[0] == "bench":
            return cmd_bench(argv[1:])
        raise CannotRun("usage: harness.py run <kernel> <golden file> | "
                        "harness.py bench sc_forward <n_out> <n_in> <length> <reps>")
    except ToolchainMissing as exc:
        print(f"wgsl mirror: toolchain missing: {exc}. Install: {INSTALL_HINT}", file=sys.stderr)
        return 2
    except CannotRun as exc:
        print(f"wgsl mirror: cannot run: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a device or driver failure: report it, never hang
        print(f"wgsl mirror: device error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
