"""The languages ``python -m parity`` can check, and how each one is run.

Python-side languages (``python``, ``rust``, ``numba``, ``jax``, ``cupy``) are
called in-process through the façade; research mirrors (``go``, ``mojo``,
``wgsl``, ``julia``) are run as subprocesses described by
``<repo>/<lang>/parity.json`` (FORMAT.md, "Mirror description").
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .compare import Answer, KernelResult, answer_from_harness, compare_kernel
from .golden_format import FormatError, GoldenFile, parse_harness_output
from .kernels import (
    KERNELS,
    KernelFn,
    common_kernels,
    generator_kernels,
    prepared_kernels,
    reference_kernels,
    scalar,
)

__all__ = ["PYTHON_LANGUAGES", "MIRROR_LANGUAGES", "LANGUAGES", "REPO_ROOT", "Language",
           "PythonLanguage", "MirrorLanguage", "ToolchainMissing", "NotApplicable",
           "get_language", "tool_path"]

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON_LANGUAGES: tuple[str, ...] = ("python", "rust", "numba", "jax", "cupy")
MIRROR_LANGUAGES: tuple[str, ...] = ("go", "mojo", "wgsl", "julia")
LANGUAGES: tuple[str, ...] = PYTHON_LANGUAGES + MIRROR_LANGUAGES


class ToolchainMissing(RuntimeError):
    """A language cannot run here; ``hint`` says how to install what is missing.

    ``what`` names the problem in reports (``"toolchain missing"``, or e.g.
    ``"no usable CUDA GPU"`` when the software is there but the hardware is
    not); ``hint`` is empty when installing software would not help.
    """

    def __init__(self, reason: str, hint: str, what: str = "toolchain missing") -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint
        self.what = what


class NotApplicable(Exception):
    """Raised by an adapter for a case its language does not cover."""


def tool_path() -> str:
    """``PATH`` with the running interpreter's ``bin`` folder (the venv's) first."""
    venv_bin = str(Path(sys.prefix) / "bin")
    return os.pathsep.join([venv_bin, os.environ.get("PATH", os.defpath)])


class Language:
    """A language under test.

    Subclasses implement :meth:`check_available`, :meth:`implemented` and
    :meth:`run_kernel`.
    """

    name: str
    description: str

    def check_available(self) -> None:
        """Return when the language can run here, else raise :class:`ToolchainMissing`."""
        raise NotImplementedError

    def implemented(self) -> tuple[str, ...]:
        """Kernels this language implements (others are reported as n/a)."""
        raise NotImplementedError

    def run_kernel(self, golden: GoldenFile, golden_path: Path,
                   timeout: float | None = None) -> KernelResult:
        """Run every case of one kernel and compare with the golden outputs."""
        raise NotImplementedError


# ------------------------------------------------------------------ Python-side languages

def _host(value: object) -> np.ndarray:
    """A NumPy copy of a NumPy, JAX or CuPy array."""
    if isinstance(value, np.ndarray):
        return value
    getter = getattr(value, "get", None)  # CuPy
    if callable(getter) and type(value).__module__.startswith("cupy"):
        return np.asarray(getter())
    return np.asarray(value)  # JAX arrays and scalars convert through __array__


def run_python_case(fn: KernelFn, inputs: dict[str, np.ndarray]) -> Answer:
    """Call ``fn`` on copies of ``inputs`` and classify what happened.

    ``ValueError``/``TypeError`` is a refusal (``"invalid"``);
    :class:`NotApplicable` is ``"n/a"``; any other exception is an error.
    """
    copies = {k: v.copy() for k, v in inputs.items()}
    try:
        outputs = fn(copies)
    except NotApplicable as exc:
        return Answer("n/a", reason=str(exc))
    except (ValueError, TypeError) as exc:
        return Answer("invalid", reason=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 - any other exception is a failure to report
        return Answer("error", reason=f"raised {type(exc).__name__}: {exc}")
    return Answer("ok", {k: _host(v) for k, v in outputs.items()})


@dataclass
class PythonLanguage(Language):
    """A language reached in-process through the Python façade.

    Attributes
    ----------
    name, description : str
    install_hint : str
        What to run when :attr:`probe` fails.
    probe : callable
        Returns ``None`` when usable, else the reason it is not.
    loader : callable
        Returns the kernel functions (kernel -> function of the inputs dict);
        called only after a successful probe.
    """

    name: str
    description: str
    install_hint: str
    probe: Callable[[], str | None]
    loader: Callable[[], dict[str, KernelFn]]
    _kernels: dict[str, KernelFn] | None = field(default=None, repr=False)

    def check_available(self) -> None:
        try:
            reason = self.probe()
        except ToolchainMissing:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken install counts as missing
            reason = f"probe failed: {type(exc).__name__}: {exc}"
        if reason is not None:
            raise ToolchainMissing(reason, self.install_hint)

    def kernels(self) -> dict[str, KernelFn]:
        if self._kernels is None:
            self._kernels = self.loader()
        return self._kernels

    def implemented(self) -> tuple[str, ...]:
        try:
            have = self.kernels()
        except Exception:  # noqa: BLE001 - listing must not crash on a broken backend
            return ()
        return tuple(k for k in KERNELS if k in have)

    def run_kernel(self, golden: GoldenFile, golden_path: Path,
                   timeout: float | None = None) -> KernelResult:
        fn = self.kernels().get(golden.kernel)
        if fn is None:
            return KernelResult(golden.kernel, "n/a", not_applicable=len(golden.cases))
        answers = {case.id: run_python_case(fn, case.inputs) for case in golden.cases}
        return compare_kernel(golden, answers)


def _import_probe(module: str) -> str | None:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        return f"cannot import {module} ({exc})"
    return None


def _backend_probe(name: str) -> str | None:
    from sc_neurocore.accel import backend_status

    status = backend_status().get(name)
    if status is None:
        return f"backend {name!r} is not registered"
    return None if status.available else status.reason


def _forward_with(backend: str) -> KernelFn:
    def forward(x: dict) -> dict:
        from sc_neurocore.accel import get_backend

        out = get_backend(backend).sc_forward(x["weights"], x["probs"],
                                              length=scalar(x["length"]),
                                              seed=scalar(x["seed"]))
        return {"out": out}
    return forward


def _generator_forward_with(backend: str) -> dict[str, KernelFn]:
    """``sc_forward_<generator>`` of every generator on ``backend``."""
    def forward(w: object, p: object, length: object, seed: object, g: str) -> object:
        from sc_neurocore.accel import get_backend

        return get_backend(backend).sc_forward(w, p, length=length, seed=seed, generator=g)
    return generator_kernels(None, forward)


def _prepared_kernel(backend: str) -> dict[str, KernelFn]:
    """``prepared_forward`` and ``prepared_forward_<generator>`` on ``backend`` when its
    package has the operation ``prepared_counts`` (a prepared-layer path), else nothing
    (the kernels are n/a)."""
    from sc_neurocore.accel._registry import backend_class

    if not backend_class(backend).has_prepared_path():
        return {}
    return prepared_kernels(backend)


def _rust_kernels() -> dict[str, KernelFn]:
    from sc_neurocore import _engine as e

    return {
        **common_kernels(e),
        "unpack": lambda x: {"bits": e.unpack_bitstream(x["packed"], scalar(x["n_bits"]))},
        "popcount": lambda x: {"counts": e.popcount_per_word(x["a"])},
        "sc_forward": lambda x: {"out": e.sc_forward(x["weights"], x["probs"],
                                                     scalar(x["length"]), scalar(x["seed"]))},
        **generator_kernels(e.encode_packed, e.sc_forward),
        **_prepared_kernel("rust"),
    }


def _numba_probe() -> str | None:
    from sc_neurocore.accel import jit_kernels

    if not jit_kernels.HAS_NUMBA:
        return f"numba is not importable ({jit_kernels.NUMBA_IMPORT_ERROR})"
    return _backend_probe("numba")


def _numba_kernels() -> dict[str, KernelFn]:
    from sc_neurocore.accel import jit_kernels

    def pack(x: dict) -> dict:
        bits = x["bits"]
        if bits.ndim != 1 or bits.shape[0] == 0 or bits.shape[0] % 64:
            raise NotApplicable("jit_pack_bits takes 1-D streams whose length is a "
                                "multiple of 64")
        out = np.zeros(bits.shape[0] // 64, dtype=np.uint64)
        jit_kernels.jit_pack_bits(bits, out)
        return {"packed": out}

    return {"pack": pack, "sc_forward": _forward_with("numba"),
            **_generator_forward_with("numba"), **_prepared_kernel("numba")}


def _jax_probe() -> str | None:
    from sc_neurocore.accel import jax_backend

    if not getattr(jax_backend, "HAS_JAX", False):
        return "jax is not importable"
    return _backend_probe("jax")


def _optional(module: object, names: dict[str, tuple[str, Callable]]) -> dict[str, KernelFn]:
    """Kernel functions for the entry points ``module`` actually has.

    ``names`` maps kernel -> (attribute name, wrapper(function) -> KernelFn).
    """
    found = {}
    for kernel, (attr, wrap) in names.items():
        fn = getattr(module, attr, None)
        if callable(fn):
            found[kernel] = wrap(fn)
    return found


def _device_ops() -> dict[str, tuple[str, Callable]]:
    """Adapters for a backend package's operations, by the names every backend shares.

    ``sc_neurocore.accel._backends`` gives each operation the same name in
    every backend (``pack``, ``and_``, ...), so a new operation or backend is
    picked up here without a new table.
    """
    return {
        "pack": ("pack", lambda f: lambda x: {"packed": f(x["bits"])}),
        "popcount": ("popcount", lambda f: lambda x: {"counts": f(x["a"])}),
        "and": ("and_", lambda f: lambda x: {"out": f(x["a"], x["b"])}),
        "xnor": ("xnor", lambda f: lambda x: {"out": f(x["a"], x["b"])}),
        "not": ("not_", lambda f: lambda x: {"out": f(x["a"])}),
        "mux": ("mux", lambda f: lambda x: {"out": f(x["sel"], x["a"], x["b"])}),
        "lif_step": ("lif_step", _lif_adapter),
    }


def _lif_adapter(f: Callable) -> KernelFn:
    def lif(x: dict) -> dict:
        v, spike = f(x["v"], x["i_t"], scalar(x["v_rest"]), scalar(x["v_reset"]),
                     scalar(x["v_threshold"]), scalar(x["alpha"]), scalar(x["resistance"]),
                     x["noise"])
        return {"v": v, "spike": spike}
    return lif


def _jax_kernels() -> dict[str, KernelFn]:
    from sc_neurocore.accel._backends import on_jax

    found = _optional(on_jax, _device_ops())
    found["sc_forward"] = _forward_with("jax")
    return {**found, **_generator_forward_with("jax"), **_prepared_kernel("jax")}


def _cupy_probe() -> str | None:
    """``None`` when a GPU works; CuPy present without a usable GPU raises ``ToolchainMissing``
    saying so (nothing to install); without CuPy, the reason (the install hint follows)."""
    from sc_neurocore.accel import gpu_backend

    reason = gpu_backend.gpu_unavailable_reason()
    if reason is not None and gpu_backend.HAS_CUPY:
        what = "no usable CUDA GPU"
        raise ToolchainMissing(reason.removeprefix(f"{what}: "), "", what=what)
    if reason is not None:
        return reason
    return _backend_probe("cupy")


def _cupy_kernels() -> dict[str, KernelFn]:
    from sc_neurocore.accel._backends import on_cupy

    found = _optional(on_cupy, _device_ops())
    found["sc_forward"] = _forward_with("cupy")
    return {**found, **_generator_forward_with("cupy"), **_prepared_kernel("cupy")}


def install_hint(extra: str | None = None) -> str:
    """How to install the package with ``extra``: the package's own hint
    (``sc_neurocore.accel._install``), or, when the package itself cannot be
    imported, how to install it at all."""
    try:
        from sc_neurocore.accel._install import install_hint as package_hint
    except ImportError:
        return "install this project first: `make install` in the repository root"
    return package_hint(extra)


def _python_languages() -> dict[str, PythonLanguage]:
    return {
        "python": PythonLanguage(
            "python", "NumPy reference (sc_neurocore.accel)",
            f"{install_hint()}: the reference ships with the package",
            lambda: _import_probe("sc_neurocore.accel"), reference_kernels),
        "rust": PythonLanguage(
            "rust", "Rust engine (sc_neurocore._engine)",
            "build it with `make install` (maturin develop --release); needs cargo/rustc "
            "(https://rustup.rs)",
            lambda: _import_probe("sc_neurocore._engine"), _rust_kernels),
        "numba": PythonLanguage(
            "numba", "Numba backend (jit_kernels)", install_hint("numba"),
            _numba_probe, _numba_kernels),
        "jax": PythonLanguage(
            "jax", "JAX backend (jax_backend)", install_hint("jax"), _jax_probe, _jax_kernels),
        "cupy": PythonLanguage(
            "cupy", "CuPy GPU backend (gpu_backend)",
            f"{install_hint('gpu')}, on a host with an NVIDIA GPU and a CUDA 12 driver",
            _cupy_probe, _cupy_kernels),
    }


# ------------------------------------------------------------------------ mirror languages

def _tail(text: str, limit: int = 2000) -> str:
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]


@dataclass
class MirrorSpec:
    """The parsed ``<lang>/parity.json``."""

    toolchain: list[str]
    install_hint: str
    build: list[list[str]]
    run: list[str]
    kernels: list[str] | None = None
    timeout_s: float | None = None


def load_spec(path: Path) -> MirrorSpec:
    """Read and check a mirror's ``parity.json``.

    Raises
    ------
    ValueError
        If a field is missing or has the wrong form.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: must hold a JSON object")

    def str_list(value: object, what: str, allow_empty: bool = True) -> list[str]:
        if (not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
                or (not allow_empty and not value)):
            raise ValueError(f"{path}: {what} must be a{'' if allow_empty else ' non-empty'} "
                             f"list of non-empty strings, got {value!r}")
        return list(value)

    for key in ("toolchain", "install_hint", "run"):
        if key not in data:
            raise ValueError(f"{path}: missing key {key!r}")
    if not isinstance(data["install_hint"], str):
        raise ValueError(f"{path}: install_hint must be a string")
    build = data.get("build", [])
    if not isinstance(build, list):
        raise ValueError(f"{path}: build must be a list of commands (lists of strings)")
    kernels = data.get("kernels")
    if kernels is not None:
        kernels = str_list(kernels, "kernels")
        unknown = [k for k in kernels if k not in KERNELS]
        if unknown:
            raise ValueError(f"{path}: unknown kernel(s) {unknown}; known: {', '.join(KERNELS)}")
    timeout = data.get("timeout_s")
    if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
        raise ValueError(f"{path}: timeout_s must be a positive number, got {timeout!r}")
    return MirrorSpec(str_list(data["toolchain"], "toolchain"), data["install_hint"],
                      [str_list(c, "each build command", False) for c in build],
                      str_list(data["run"], "run", False), kernels, timeout)


class MirrorLanguage(Language):
    """A research mirror run through its harness (FORMAT.md, "Harness protocol")."""

    def __init__(self, name: str, root: Path | None = None) -> None:
        self.name = name
        self.folder = (root or REPO_ROOT) / name
        self.description = f"research mirror {name}/ (subprocess harness)"
        self._spec: MirrorSpec | None = None
        self._built = False

    @property
    def spec_path(self) -> Path:
        return self.folder / "parity.json"

    def spec(self) -> MirrorSpec:
        if self._spec is None:
            if not self.spec_path.is_file():
                raise ToolchainMissing(
                    f"{self.spec_path} does not exist",
                    f"the {self.name} mirror is not set up: add {self.name}/parity.json "
                    "(see parity/FORMAT.md, 'Mirror description')")
            try:
                self._spec = load_spec(self.spec_path)
            except ValueError as exc:
                raise ToolchainMissing(str(exc), f"fix {self.spec_path} (see parity/FORMAT.md)") \
                    from None
        return self._spec

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PATH"] = tool_path()
        return env

    def check_available(self) -> None:
        spec = self.spec()
        path = tool_path()
        missing = [t for t in spec.toolchain if shutil.which(t, path=path) is None]
        if missing:
            raise ToolchainMissing(f"{', '.join(missing)} not found on PATH", spec.install_hint)

    def implemented(self) -> tuple[str, ...]:
        try:
            spec = self.spec()
        except ToolchainMissing:
            return ()
        return tuple(KERNELS if spec.kernels is None else
                     [k for k in KERNELS if k in spec.kernels])

    def _command(self, argv: list[str]) -> list[str]:
        """Resolve a bare program name on the tool path (relative paths stay relative)."""
        first = argv[0]
        if os.sep not in first and "/" not in first:
            found = shutil.which(first, path=tool_path())
            if found:
                return [found, *argv[1:]]
        return list(argv)

    def build(self, timeout: float | None = None) -> str | None:
        """Run the build commands once; ``None`` on success, else why it failed."""
        if self._built:
            return None
        for argv in self.spec().build:
            try:
                proc = subprocess.run(self._command(argv), cwd=self.folder, env=self.env(),
                                      capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                return f"build command {argv} timed out after {timeout} s"
            except OSError as exc:
                return f"build command {argv} could not start: {exc}"
            if proc.returncode != 0:
                return (f"build command {argv} exited {proc.returncode}: "
                        f"{_tail(proc.stderr or proc.stdout)}")
        self._built = True
        return None

    def run_harness(self, args: list[str], timeout: float | None) -> subprocess.CompletedProcess:
        """Run the harness with ``args`` in the mirror folder (raises on timeout).

        Output that is not UTF-8 is decoded with replacement characters, which
        the strict parser then reports as unreadable output (never a crash).
        """
        argv = self._command(self.spec().run + args)
        return subprocess.run(argv, cwd=self.folder, env=self.env(), capture_output=True,
                              text=True, errors="replace", timeout=timeout)

    def run_kernel(self, golden: GoldenFile, golden_path: Path,
                   timeout: float | None = None) -> KernelResult:
        kernel = golden.kernel
        if kernel not in self.implemented():
            return KernelResult(kernel, "n/a", not_applicable=len(golden.cases))
        timeout = self.spec().timeout_s or timeout
        problem = self.build(timeout)
        if problem is not None:
            return KernelResult(kernel, "error", note=problem)
        try:
            proc = self.run_harness(["run", kernel, str(Path(golden_path).resolve())], timeout)
        except subprocess.TimeoutExpired:
            return KernelResult(kernel, "error", note=f"harness timed out after {timeout} s")
        except OSError as exc:
            return KernelResult(kernel, "error", note=f"harness could not start: {exc}")
        if proc.returncode == 2 and not proc.stdout.strip():
            raise ToolchainMissing(f"harness reports its toolchain missing: "
                                   f"{_tail(proc.stderr, 500)}",
                                   _tail(proc.stderr, 500) or self.spec().install_hint)
        if proc.returncode != 0:
            return KernelResult(kernel, "error", note=f"harness exited {proc.returncode}: "
                                f"{_tail(proc.stderr or proc.stdout)}")
        try:
            parsed = parse_harness_output(proc.stdout, f"{self.name} harness ({kernel})")
        except FormatError as exc:
            return KernelResult(kernel, "error", note=f"unreadable harness output: {exc}")
        return compare_kernel(golden, {i: answer_from_harness(a) for i, a in parsed.items()})


def get_language(name: str, mirror_root: Path | None = None) -> Language:
    """The :class:`Language` called ``name``.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`LANGUAGES`.
    """
    if name in PYTHON_LANGUAGES:
        return _python_languages()[name]
    if name in MIRROR_LANGUAGES:
        return MirrorLanguage(name, mirror_root)
    raise ValueError(f"language must be one of {', '.join(LANGUAGES)} or all; got {name!r}")
