"""Golden cases of the shared SplitMix64 generator (:mod:`sc_neurocore.splitmix`).

``parity/golden/splitmix.txt`` proves that the Python generator and the Rust
mirror's ``splitmix::SplitMix64`` produce the same streams. Every case makes a
fresh generator from ``seed`` and calls ``op``:

* ``u64s``, ``uniforms``, ``normals``: ``n`` values -> an output of the op's name;
* ``integers_below``: ``n`` values below ``bound`` -> ``integers_below``;
* ``mixed``: ``n`` rounds of ``normal()``, ``below(bound)``, ``uniform()``,
  ``next_u64()`` in that order -> ``normal``, ``below``, ``uniform``, ``u64``
  (so the consumption order of interleaved calls is checked too).

Every valid case also gives ``state``, the generator's state afterwards (how
many words were drawn). Normals compare within ``rtol`` 1e-12 (libm ``log``
and ``cos``); everything else bit for bit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sc_neurocore._validation import check_int
from sc_neurocore.splitmix import GAMMA, U64_LIMIT, SplitMix64

from ..golden_format import GoldenFile
from ._builder import SafetyBuilder, arg, f64, i64, op_of, u64

__all__ = ["OPS", "run_case", "build"]

OPS = ("u64s", "uniforms", "normals", "integers_below", "mixed")
RTOL = 1e-12


def run_case(inputs: dict[str, np.ndarray]) -> Mapping[str, object]:
    """One case through :class:`sc_neurocore.splitmix.SplitMix64`."""
    op = op_of(inputs)
    if op not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")
    g = SplitMix64(arg(inputs, "seed"))  # type: ignore[arg-type]
    n = arg(inputs, "n")
    out: dict[str, object] = {}
    if op == "u64s":
        out[op] = g.u64s(n)  # type: ignore[arg-type]
    elif op == "uniforms":
        out[op] = g.uniforms(n)  # type: ignore[arg-type]
    elif op == "normals":
        out[op] = g.normals(n)  # type: ignore[arg-type]
    elif op == "integers_below":
        out[op] = g.integers_below(n, arg(inputs, "bound"))  # type: ignore[arg-type]
    else:
        rounds = check_int(n, "n", minimum=0)
        bound = check_int(arg(inputs, "bound"), "bound", minimum=1, below=U64_LIMIT)
        normal, below, uniform, word = [], [], [], []
        for _ in range(rounds):
            normal.append(g.normal())
            below.append(g.below(bound))
            uniform.append(g.uniform())
            word.append(g.next_u64())
        out.update(normal=f64(normal), below=u64(below), uniform=f64(uniform), u64=u64(word))
    out["state"] = u64(g.state)
    return out


SEEDS = (0, 1, 1234567, 0x5C0DE, 2**63, 2**64 - 1, 2**64 - GAMMA)


def build() -> GoldenFile:
    """The cases of ``parity/golden/splitmix.txt``."""
    b = SafetyBuilder("splitmix", "sc_neurocore.splitmix", run_case,
                      rtol={"normals": RTOL, "normal": RTOL})
    for seed in SEEDS:
        b.valid(f"next_u64 x 64, seed {seed}", "u64s", seed=u64(seed), n=i64(64))
        b.valid(f"uniform x 64, seed {seed}", "uniforms", seed=u64(seed), n=i64(64))
        b.valid(f"normal x 32 (64 draws), seed {seed}", "normals", seed=u64(seed), n=i64(32))
    b.valid("no draw: state unchanged", "u64s", seed=u64(42), n=i64(0))
    for bound in (1, 2, 3, 4, 6, 7, 10, 1000, 2**32 + 1, 2**63, 2**63 + 1, 3 * 2**62,
                  2**64 - 1):
        b.valid(f"below({bound}) x 48", "integers_below", seed=u64(99), n=i64(48),
                bound=u64(bound))
    for seed, bound in ((7, 6), (8, 2**63 + 1), (2**64 - 1, 1000)):
        b.valid(f"mixed rounds normal/below({bound})/uniform/next_u64, seed {seed}", "mixed",
                seed=u64(seed), n=i64(24), bound=u64(bound))
    b.invalid("bound 0 (must be >= 1)", "OutOfRange",
              "integers_below", seed=u64(1), n=i64(4), bound=u64(0))
    b.invalid("bound 0 in mixed, even with no rounds", "OutOfRange", "mixed", seed=u64(1), n=i64(0),
              bound=u64(0))
    b.invalid("negative n", "OutOfRange", "uniforms", seed=u64(1), n=i64(-1))
    b.invalid("negative n in mixed", "OutOfRange", "mixed", seed=u64(1), n=i64(-2), bound=u64(5))
    b.invalid("n as a float", "WrongType", "normals", seed=u64(1), n=f64(2.0))
    b.invalid("negative seed", "OutOfRange BadSeed", "u64s", seed=i64(-1), n=i64(3))
    b.invalid("seed as a float", "WrongType BadSeed", "u64s", seed=f64(1.0), n=i64(3))
    b.invalid("bound as a float", "WrongType",
              "integers_below", seed=u64(1), n=i64(3), bound=f64(6.0))
    b.invalid("unknown op", "Unknown", "gaussians", seed=u64(1), n=i64(3))
    return b.golden()
