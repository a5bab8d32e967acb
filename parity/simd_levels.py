"""Run a command as if this CPU had fewer SIMD features (golden-file portability).

Golden values must be the same on every CPU (parity/FORMAT.md). What could
move them is code that picks its instructions at run time: NumPy's SIMD
dispatch (``exp``, ``log``, ``sin``, ``power``... have AVX2 and AVX-512
loops whose last bits differ) and the C library's math functions (glibc picks
FMA variants of ``exp``, ``log``, ``sin``, ``cos``, ``pow`` on CPUs with FMA
and AVX2). ``python -m parity lower-simd --level LEVEL -- COMMAND`` runs
``COMMAND`` with both lowered:

* ``avx2``: NumPy's AVX-512 dispatch targets off and OpenBLAS on its
  ``Haswell`` kernels (as on an AVX2-only host, Intel or AMD);
* ``baseline``: every AVX2 and AVX-512 target off (NumPy runs its baseline
  loops), OpenBLAS on its ``Nehalem`` (SSE4.2) kernels, and glibc told to
  ignore AVX2 and FMA (``GLIBC_TUNABLES``), as on a CPU without them.

(OpenBLAS's kernels sum in a different order on each core type, so a golden
value computed through ``@`` or ``np.linalg`` would show up here too;
``OPENBLAS_CORETYPE`` is set on x86-64 only, and only when the CPU has NumPy
targets above the level, so it can run the kernels named.)

The targets come from this NumPy's ``__cpu_dispatch__`` and this CPU's
``__cpu_features__`` (names differ between NumPy versions: ``X86_V3`` /
``X86_V4`` / ``AVX512_ICL`` in NumPy 2.4, ``AVX2`` / ``FMA3`` / ``AVX512F`` /
``AVX512_SKX`` before), and the command is refused unless a child
interpreter confirms that every one of them is really off.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence

__all__ = ["LEVELS", "OPENBLAS_CORES", "GLIBC_MASK", "dispatch_targets", "targets_to_disable", "lowered_env",
           "enabled_in_child", "run_lowered"]

#: The levels, each with the pattern of NumPy dispatch targets it turns off.
LEVELS: dict[str, re.Pattern[str]] = {
    "avx2": re.compile(r"^(AVX512.*|X86_V4)$"),
    "baseline": re.compile(r"^(AVX512.*|X86_V4|X86_V3|AVX2|FMA3)$"),
}

#: The OpenBLAS core type (``OPENBLAS_CORETYPE``, x86-64) of each level.
OPENBLAS_CORES: dict[str, str] = {"avx2": "Haswell", "baseline": "Nehalem"}

#: glibc's CPU features hidden at the ``baseline`` level (its libm then uses
#: the variants without FMA).
GLIBC_MASK = "glibc.cpu.hwcaps=-AVX2,-FMA,-AVX512F"

_PROBE = ("import json; from numpy._core._multiarray_umath import __cpu_features__ as f, "
          "__cpu_dispatch__ as d; print(json.dumps({k: bool(f.get(k)) for k in d}))")


def dispatch_targets() -> dict[str, bool]:
    """NumPy's dispatch targets, in its order, and whether this process may use each."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    return {name: bool(__cpu_features__.get(name)) for name in __cpu_dispatch__}


def targets_to_disable(level: str, targets: Mapping[str, bool]) -> list[str]:
    """The dispatch targets this CPU has that ``level`` turns off.

    Parameters
    ----------
    level : str
        A key of :data:`LEVELS`.
    targets : mapping of str to bool
        Target -> available on this CPU (as :func:`dispatch_targets` gives it
        in a process that does not run lowered).

    Raises
    ------
    ValueError
        If ``level`` is unknown.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    return [name for name, have in targets.items() if have and LEVELS[level].match(name)]


def lowered_env(level: str, base: Mapping[str, str] | None = None) -> tuple[dict[str, str],
                                                                           list[str]]:
    """The environment of a lowered run, and the NumPy targets it turns off.

    The CPU's targets are read by a child interpreter started without
    ``NPY_DISABLE_CPU_FEATURES`` (so a lowering already in ``base`` does not
    hide any). ``NPY_DISABLE_CPU_FEATURES`` then lists the targets to turn
    off (comma-separated); at the ``baseline`` level ``GLIBC_TUNABLES`` also
    holds :data:`GLIBC_MASK`.

    Raises
    ------
    ValueError
        If ``level`` is unknown.
    RuntimeError
        If the child interpreter fails.
    """
    env = dict(os.environ if base is None else base)
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    off = targets_to_disable(level, enabled_in_child(env))
    if off:
        env["NPY_DISABLE_CPU_FEATURES"] = ",".join(off)
    # Only when the CPU has targets above the level (so it can run the chosen
    # kernels); a CPU with none already runs at that level.
    if off and platform.machine().lower() in ("x86_64", "amd64"):
        env["OPENBLAS_CORETYPE"] = OPENBLAS_CORES[level]
    if level == "baseline":
        tunables = [t for t in env.get("GLIBC_TUNABLES", "").split(":") if t]
        env["GLIBC_TUNABLES"] = ":".join([*tunables, GLIBC_MASK])
    return env, off


def enabled_in_child(env: Mapping[str, str]) -> dict[str, bool]:
    """The dispatch targets a fresh interpreter started with ``env`` may use.

    Raises
    ------
    RuntimeError
        If the interpreter fails (e.g. NumPy refuses the environment).
    """
    proc = subprocess.run([sys.executable, "-c", _PROBE], env=dict(env), capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"NumPy did not start with the lowered environment: "
                           f"{proc.stderr.strip()[-500:]}")
    found: dict[str, bool] = json.loads(proc.stdout)
    return found


def run_lowered(level: str, command: Sequence[str]) -> int:
    """Run ``command`` at ``level`` (see the module docstring); returns its exit status.

    Prints one line saying what was turned off. Exit status 2, without
    running the command, when NumPy still reports a target that should be off.
    """
    if not command:
        print("lower-simd: give the command to run after --", file=sys.stderr)
        return 2
    try:
        env, off = lowered_env(level)
        still_on = [name for name in off if enabled_in_child(env).get(name)]
    except RuntimeError as exc:
        print(f"lower-simd: {exc}", file=sys.stderr)
        return 2
    if still_on:
        print(f"lower-simd: NumPy still uses {', '.join(still_on)} with "
              f"NPY_DISABLE_CPU_FEATURES={env.get('NPY_DISABLE_CPU_FEATURES', '')}",
              file=sys.stderr)
        return 2
    numpy_part = (f"NumPy without {', '.join(off)}" if off
                  else "NumPy unchanged (this CPU has no target of that level)")
    blas_part = (f"; OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']}"
                 if "OPENBLAS_CORETYPE" in env else "")
    glibc_part = f"; GLIBC_TUNABLES={GLIBC_MASK}" if level == "baseline" else ""
    print(f"lower-simd {level}: {numpy_part}{blas_part}{glibc_part}", flush=True)
    return subprocess.run(list(command), env=env, check=False).returncode
