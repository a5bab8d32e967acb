"""The study's standard ``sc_forward`` shapes and their deterministic inputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Workload", "WORKLOADS", "SMOKE_WORKLOADS", "workload", "make_inputs"]


@dataclass(frozen=True)
class Workload:
    """One timed ``sc_forward`` shape.

    Attributes
    ----------
    name : str
        ``"W1"``, ``"W2"`` or ``"W3"``.
    n_out : int
        Output neurons (rows of the weights).
    n_in : int
        Inputs per neuron.
    length : int
        Stream length in bits.
    batch : int or None
        Rows of a 2-D input batch; ``None`` for a single 1-D input.
    """

    name: str
    n_out: int
    n_in: int
    length: int
    batch: int | None  # None: a single 1-D input

    @property
    def n_words(self) -> int:
        """Words per stream, ``ceil(length / 64)``."""
        return (self.length + 63) // 64

    @property
    def weight_bytes(self) -> int:
        """Bytes of ``weights_packed``: what every call has to stream once."""
        return self.n_out * self.n_in * self.n_words * 8

    def describe(self) -> str:
        """One line: the shape, the input and the size of the weights."""
        inputs = "1 input" if self.batch is None else f"batch {self.batch}"
        return (f"{self.name}: n_out={self.n_out} n_in={self.n_in} length={self.length}, "
                f"{inputs}, weights {self.weight_bytes / 2**20:.1f} MiB")


WORKLOADS = (
    Workload("W1", 128, 784, 1024, None),
    Workload("W2", 1024, 1024, 4096, None),
    Workload("W3", 128, 784, 1024, 32),
)
"""The standard workloads: W1 one input (128 x 784, 1024 bits), W2 one input on a
memory-bound layer (1024 x 1024, 4096 bits), W3 a batch of 32 on W1's layer.
"""

SMOKE_WORKLOADS = (
    Workload("W1", 8, 16, 100, None),
    Workload("W2", 16, 32, 256, None),
    Workload("W3", 8, 16, 100, 4),
)
"""The same three kinds of call at tiny sizes: for checking the whole study quickly
(``bench --smoke``, the device script's dry run); their timings mean nothing.
"""


def workload(name: str, workloads: tuple[Workload, ...] = WORKLOADS) -> Workload:
    """The workload called ``name`` (``"W1"``, ...).

    Raises
    ------
    KeyError
        If there is none of that name.
    """
    for work in workloads:
        if work.name == name:
            return work
    raise KeyError(f"no workload {name!r}; known: {', '.join(w.name for w in workloads)}")


def make_inputs(work: Workload) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic random packed weights (bits past ``length`` cleared) and probabilities.

    Parameters
    ----------
    work : Workload
        The shape to make inputs for.

    Returns
    -------
    tuple of ndarray
        ``uint64`` ``(n_out, n_in, n_words)`` and ``float64`` ``(n_in,)`` or
        ``(batch, n_in)`` in ``[0, 1)``, from a fixed seed: every run and every
        host times the same problem.
    """
    rng = np.random.default_rng(2024)
    weights = rng.integers(0, 2**64, size=(work.n_out, work.n_in, work.n_words),
                           dtype=np.uint64, endpoint=False)
    tail = work.length % 64
    if tail:
        weights[..., -1] &= np.uint64((1 << tail) - 1)
    shape = (work.n_in,) if work.batch is None else (work.batch, work.n_in)
    probs = rng.random(shape)
    return weights, probs
