"""Golden cases of :mod:`sc_neurocore.studio.analysis` (``parity/golden/analysis.txt``).

The Rust mirror ``rust/mirror/src/safety/analysis/`` answers the same cases.
Mappings and callables cannot live in a golden file, so:

* a ``simulate_fn`` is named by the input ``model`` (a key of
  :data:`sc_neurocore.studio.analysis.MODELS`), and its ``base_config`` is
  every input that is neither ``op``, ``model`` nor an argument of the op;
* an input ``params__<name>`` is entry ``<name>`` of the mapping ``params``
  (likewise ``init__``, ``held__``, ``ranges__`` and ``names__``, the
  variables of an ``evaluate`` case; golden array names are letters, digits
  and ``_``), so an error about ``params.<name>`` names an input.

``None`` becomes NaN in an ``f64`` output (with a ``u8`` mask saying where a
value exists) or ``-1`` in an ``i64`` one; lists of lists are flattened with
their lengths. Outputs computed through the math library (``sin``, ``cos``,
``atan2``, ``log10``, ``pow``, ``exp``, ...) carry ``rtol`` 1e-12 and the
names in :data:`RTOL_OUTPUTS`; every other output matches bit for bit. Cases
whose spikes or fixed-point words depend on a ``sin`` are checked at build
time to keep every decision away from a rounding tie
(:func:`._analysis_checks.check_drive_margin`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..golden_format import GoldenFile
from ._analysis_adapter import DIRECT_OPS, MODEL_OPS, RTOL_OUTPUTS, direct_case, model_case
from ._analysis_cases import add_model_cases
from ._analysis_equation_cases import add_equation_cases
from ._builder import SafetyBuilder, op_of

__all__ = ["RTOL", "RTOL_OUTPUTS", "MODEL_OPS", "DIRECT_OPS", "run_case", "build"]

RTOL = 1e-12


def run_case(inputs: dict[str, np.ndarray]) -> Mapping[str, object]:
    """One case through :mod:`sc_neurocore.studio.analysis`."""
    op = op_of(inputs)
    if op in MODEL_OPS:
        return model_case(op, inputs)
    if op in DIRECT_OPS:
        return direct_case(op, inputs)
    raise ValueError(f"op must be one of {', '.join([*MODEL_OPS, *DIRECT_OPS])}, got {op!r}")


def build() -> GoldenFile:
    """The cases of ``parity/golden/analysis.txt``."""
    b = SafetyBuilder("analysis", "sc_neurocore.studio.analysis", run_case,
                      rtol={name: RTOL for name in RTOL_OUTPUTS})
    add_model_cases(b)
    add_equation_cases(b)
    return b.golden()

