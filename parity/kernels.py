"""The parity kernels, their golden field names and the NumPy reference for each.

A kernel function takes a case's ``inputs`` (name -> ndarray, as read from a
golden file) and returns its outputs (name -> ndarray) or raises
``ValueError``/``TypeError`` when the inputs are invalid.  The reference here
calls the public NumPy functions of :mod:`sc_neurocore.accel`; other Python-side
languages adapt their own entry points to the same signature
(:mod:`parity.adapters`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["KERNELS", "INPUTS", "OUTPUTS", "OTHER_GENERATORS", "GENERATOR_OF", "BASE_OF",
           "KernelFn", "scalar", "unpack_total_bits", "common_kernels", "generator_kernels",
           "prepared_forward_on", "prepared_kernels", "reference_kernels"]

#: The stream generators other than the reference LFSR (docs/design.md#stream-generators),
#: each with its own ``encode_<generator>``, ``sc_forward_<generator>`` and
#: ``prepared_forward_<generator>`` kernels.
OTHER_GENERATORS: tuple[str, ...] = ("sobol", "lfsr_pair")

_GENERATOR_OPS: tuple[str, ...] = ("encode", "sc_forward", "prepared_forward")

#: The generator of each generator kernel (``encode_sobol`` -> ``sobol``, ...).
GENERATOR_OF: dict[str, str] = {f"{op}_{g}": g for g in OTHER_GENERATORS
                                for op in _GENERATOR_OPS}

#: The reference-LFSR kernel each generator kernel follows (``encode_sobol`` -> ``encode``).
BASE_OF: dict[str, str] = {f"{op}_{g}": op for g in OTHER_GENERATORS for op in _GENERATOR_OPS}

#: Every kernel, in the order tables and golden files list them.
KERNELS: tuple[str, ...] = ("pack", "unpack", "popcount", "and", "xnor", "not", "mux",
                            "encode", "sc_forward", "lif_step", "prepared_forward",
                            *GENERATOR_OF)

#: Input names per kernel, in golden-file order (FORMAT.md, "Kernels and their fields").
INPUTS: dict[str, tuple[str, ...]] = {
    "pack": ("bits",),
    "unpack": ("packed", "n_bits"),
    "popcount": ("a",),
    "and": ("a", "b"),
    "xnor": ("a", "b"),
    "not": ("a",),
    "mux": ("sel", "a", "b"),
    "encode": ("probs", "length", "seed"),
    "sc_forward": ("weights", "probs", "length", "seed"),
    "lif_step": ("v", "i_t", "noise", "v_rest", "v_reset", "v_threshold", "alpha",
                 "resistance"),
    "prepared_forward": ("weights", "weight_seed", "probs", "length", "seed"),
}
INPUTS.update({k: INPUTS[op] for k, op in BASE_OF.items()})

#: Output names per kernel, in golden-file order.
OUTPUTS: dict[str, tuple[str, ...]] = {
    "pack": ("packed",),
    "unpack": ("bits",),
    "popcount": ("counts",),
    "and": ("out",),
    "xnor": ("out",),
    "not": ("out",),
    "mux": ("out",),
    "encode": ("packed",),
    "sc_forward": ("out",),
    "lif_step": ("v", "spike"),
    "prepared_forward": ("out",),
}
OUTPUTS.update({k: ("packed_input", "packed_weight") if op == "encode" else OUTPUTS[op]
                for k, op in BASE_OF.items()})

KernelFn = Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]


def scalar(arr: np.ndarray) -> object:
    """A 0-D golden array as a Python scalar (int for ``i64``, float for ``f64``).

    Arrays of any other rank are returned unchanged so that the function under
    test sees (and must reject) the wrong rank.
    """
    arr = np.asarray(arr)
    return arr.item() if arr.ndim == 0 else arr


def unpack_total_bits(packed: np.ndarray, n_bits: object) -> object:
    """The reference's ``original_length`` (total bits) for per-row ``n_bits``.

    FORMAT.md's ``n_bits`` counts bits per row; the façade's
    ``unpack_bitstream`` takes the total.  Non-int ``n_bits`` is passed through
    unchanged so that it is rejected.
    """
    if isinstance(n_bits, int) and packed.ndim == 2:
        return n_bits * packed.shape[0]
    return n_bits


def common_kernels(ops: Any) -> dict[str, KernelFn]:
    """The kernels every Python surface calls the same way: ``ops`` (a module with
    ``pack_bitstream``, ``vec_and``, ``vec_xnor``, ``vec_not``, ``vec_mux`` and
    ``encode_packed``, as :mod:`sc_neurocore.accel` and the engine have) on the case's
    inputs."""
    return {
        "pack": lambda x: {"packed": ops.pack_bitstream(x["bits"])},
        "and": lambda x: {"out": ops.vec_and(x["a"], x["b"])},
        "xnor": lambda x: {"out": ops.vec_xnor(x["a"], x["b"])},
        "not": lambda x: {"out": ops.vec_not(x["a"])},
        "mux": lambda x: {"out": ops.vec_mux(x["sel"], x["a"], x["b"])},
        "encode": lambda x: {"packed": ops.encode_packed(x["probs"], scalar(x["length"]),
                                                         scalar(x["seed"]))},
    }


def generator_kernels(encode_packed: Callable[..., Any] | None,
                      forward: Callable[..., Any] | None) -> dict[str, KernelFn]:
    """The packed-path generator kernels (``GENERATOR_OF``) of a surface.

    ``encode_packed(probs, length, seed, generator=..., role=...)`` answers
    ``encode_<generator>`` (both sides: ``packed_input`` and
    ``packed_weight``); ``forward(weights, probs, length, seed, generator)``
    answers ``sc_forward_<generator>``.  Either may be ``None`` (the surface
    lacks it: those kernels are left out).  ``prepared_forward_<generator>``
    comes from ``prepared_kernels``.
    """
    found: dict[str, KernelFn] = {}
    for kernel, g in GENERATOR_OF.items():
        if BASE_OF[kernel] == "encode" and encode_packed is not None:
            found[kernel] = _encode_sides(encode_packed, g)
        elif BASE_OF[kernel] == "sc_forward" and forward is not None:
            found[kernel] = _forward_generator(forward, g)
    return found


def _encode_sides(encode_packed: Callable[..., Any], generator: str) -> KernelFn:
    def encode(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        args = (x["probs"], scalar(x["length"]), scalar(x["seed"]))
        return {f"packed_{role}": encode_packed(*args, generator=generator, role=role)
                for role in ("input", "weight")}
    return encode


def _forward_generator(forward: Callable[..., Any], generator: str) -> KernelFn:
    def run(x: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"out": forward(x["weights"], x["probs"], scalar(x["length"]),
                               scalar(x["seed"]), generator)}
    return run


def prepared_forward_on(backend: Any, generator: str = "lfsr") -> KernelFn:
    """The ``prepared_forward`` kernel of ``generator`` on ``backend`` (a name or a ``Backend``): ``prepare_layer(weights,
    length, weight_seed=weight_seed, generator=generator)`` run by ``sc_forward(layer, probs,
    length=length, seed=seed)`` (the layer's generator encodes the inputs)."""
    def prepared(x: dict) -> dict:
        from sc_neurocore.accel import prepare_layer, sc_forward

        length = scalar(x["length"])
        layer = prepare_layer(x["weights"], length, weight_seed=scalar(x["weight_seed"]),
                              generator=generator)
        return {"out": sc_forward(layer, x["probs"], length=length, seed=scalar(x["seed"]),
                                  backend=backend)}
    return prepared


def prepared_kernels(backend: str) -> dict[str, KernelFn]:
    """``prepared_forward`` and every ``prepared_forward_<generator>`` on ``backend``."""
    return {"prepared_forward": prepared_forward_on(backend),
            **{k: prepared_forward_on(backend, g) for k, g in GENERATOR_OF.items()
               if BASE_OF[k] == "prepared_forward"}}


def reference_kernels() -> dict[str, KernelFn]:
    """The NumPy reference of every kernel (the source of the golden outputs)."""
    from sc_neurocore import accel
    from sc_neurocore._validation import as_packed
    from sc_neurocore.accel.lif import lif_step

    def unpack(x: dict) -> dict:
        n_bits = scalar(x["n_bits"])
        packed = x["packed"]
        return {"bits": accel.unpack_bitstream(packed, unpack_total_bits(packed, n_bits))}

    def popcount(x: dict) -> dict:
        return {"counts": np.bitwise_count(as_packed(x["a"], "a")).astype(np.uint64)}

    def lif(x: dict) -> dict:
        v, spike = lif_step(x["v"], x["i_t"], scalar(x["v_rest"]), scalar(x["v_reset"]),
                            scalar(x["v_threshold"]), scalar(x["alpha"]),
                            scalar(x["resistance"]), x["noise"])
        return {"v": v, "spike": spike}

    return {
        **common_kernels(accel),
        "unpack": unpack,
        "popcount": popcount,
        "sc_forward": lambda x: {"out": accel.sc_forward_numpy(
            x["weights"], x["probs"], length=scalar(x["length"]), seed=scalar(x["seed"]))},
        "lif_step": lif,
        **prepared_kernels("numpy"),
        **generator_kernels(accel.encode_packed, lambda w, p, length, seed, g:
                            accel.sc_forward_numpy(w, p, length, seed, generator=g)),
    }
