"""Parity checks of every sc_neurocore.accel implementation on shared golden vectors.

``python -m parity regen`` writes ``parity/golden/<kernel>.txt`` from the NumPy
reference; ``python -m parity run --lang L`` checks language ``L`` against them;
``python -m parity bench --lang L`` times ``sc_forward``.  The exchange format
and the harness protocol for research mirrors are in ``parity/FORMAT.md``.
"""

from .golden_format import (
                            Case,
                            FormatError,
                            GoldenFile,
                            HarnessAnswer,
                            dumps_golden,
                            loads_golden,
                            parse_harness_output,
                            read_golden,
                            write_golden,
)
from .kernels import INPUTS, KERNELS, OUTPUTS

__all__ = ["Case", "FormatError", "GoldenFile", "HarnessAnswer", "INPUTS", "KERNELS",
           "OUTPUTS", "dumps_golden", "loads_golden", "parse_harness_output", "read_golden",
           "write_golden"]
