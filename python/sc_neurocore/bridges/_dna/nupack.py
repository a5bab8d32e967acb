"""``NUPACKInterface``: secondary structure and design validation, with NUPACK when installed.

NUPACK 4 is a Python package (``import nupack``); NUPACK 3 ships executables (``complexes``,
``mfe``, ...). With the package the MFE and pair probabilities come from NUPACK; without it
from the built-in model of ``sc_neurocore.bridges._dna.folding``, and ``backend`` says so.
``write_input`` writes the input of NUPACK 3's ``complexes`` and ``run_complexes`` runs it,
refusing with a clear error when the executable is not on ``PATH``.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from sc_neurocore._validation import InputTypeError, check_int

from ._checks import check_sequence, check_sodium, check_temperature
from .folding import check_fold_length, mfe, pair_probabilities
from .structure_checks import CrossHybridizationChecker
from .types import DNACircuitDesign, check_design

__all__ = ["NUPACKInterface", "FOLDING_ROLES", "UNWANTED_STRUCTURE_DG", "nupack_input_text"]

FOLDING_ROLES: tuple[str, ...] = ("signal", "output", "fuel", "toehold")
"""Roles of strands that work single-stranded, so a fold of theirs is unwanted."""
UNWANTED_STRUCTURE_DG = -2.0
"""A single-stranded strand whose MFE is below this (kcal/mol) has an unwanted structure."""
_COMPLEXES = "complexes"


def _load_nupack() -> ModuleType | None:
    try:
        return importlib.import_module("nupack")
    except ImportError:
        return None


def nupack_input_text(design: DNACircuitDesign, max_complex_size: int = 2) -> str:
    """The NUPACK 3 ``complexes`` input (``<prefix>.in``) of every strand of ``design``:
    ``%`` comment lines, the number of strands, one sequence per line (``all_strands``
    order), then the largest complex size."""
    check_design(design)
    size = check_int(max_complex_size, "max_complex_size", minimum=1, below=9)
    strands = design.all_strands
    if not strands:
        raise ValueError("design has no strands to write")
    lines = [f"% SC-NeuroCore DNA circuit {design.name}",
             f"% {design.temperature_c} C, [Na+] {design.na_concentration_M} M, "
             f"{len(strands)} strands"]
    lines += [f"% strand {k + 1}: {s.name} ({s.role}, {s.concentration_nM} nM)"
              for k, s in enumerate(strands)]
    lines.append(str(len(strands)))
    lines += [s.sequence for s in strands]
    lines.append(str(size))
    return "\n".join(lines) + "\n"


class NUPACKInterface:
    """Thermodynamic validation: NUPACK when installed, else the built-in folding model.

    Parameters
    ----------
    temperature_c : float, optional
        Temperature (°C) in [0, 100] (default 37).
    na_concentration_M : float, optional
        Sodium (M) in [0.05, 1.0] (default 1).
    require_nupack : bool, optional
        Refuse to work without the NUPACK package (default False: fall back).

    Raises
    ------
    TypeError, ValueError
        For an argument of the wrong type or out of range.
    RuntimeError
        If ``require_nupack`` and the ``nupack`` package is not installed.
    """

    def __init__(self, temperature_c: float = 37.0,
                 na_concentration_M: float = 1.0, *, require_nupack: bool = False) -> None:
        self._temperature_c = check_temperature(temperature_c)
        self._na_M = check_sodium(na_concentration_M, "na_concentration_M")
        if not isinstance(require_nupack, bool):
            raise InputTypeError("require_nupack must be a bool, got "
                                 f"{type(require_nupack).__name__}")
        self._nupack = _load_nupack()
        if require_nupack and self._nupack is None:
            raise RuntimeError("NUPACK is not installed (no `nupack` Python package); install "
                               "NUPACK 4 from https://nupack.org, or pass require_nupack=False "
                               "to use the built-in folding model")

    @property
    def has_nupack(self) -> bool:
        """Whether the NUPACK Python package is installed (and used)."""
        return self._nupack is not None

    @property
    def backend(self) -> str:
        """Which model answers: ``"nupack"``, or a sentence naming the built-in fallback."""
        if self._nupack is not None:
            return "nupack"
        return ("built-in Nussinov-type model (NUPACK is not installed: no `nupack` Python "
                "package)")

    def _with_nupack(self, call: str, seq: str) -> Any:
        """NUPACK 4's ``call`` (``mfe`` or ``pairs``) on one strand under this model."""
        assert self._nupack is not None
        model = self._nupack.Model(material="dna", celsius=self._temperature_c,
                                   sodium=self._na_M)
        strand = self._nupack.Strand(seq, name="query")
        return getattr(self._nupack, call)(strands=[strand], model=model)

    def _checked(self, sequence: object) -> str:
        """``sequence`` as checked DNA (upper case), and short enough for the built-in model
        when NUPACK is not used."""
        seq = check_sequence(sequence)
        if self._nupack is None:
            check_fold_length(seq)
        return seq

    def compute_mfe(self, sequence: str) -> tuple[float, str]:
        """Minimum free energy and its structure.

        Parameters
        ----------
        sequence : str
            The strand to fold: non-empty ACGT (either case); at most 300 nt for the
            built-in model.

        Returns
        -------
        tuple of (float, str)
            ``(energy_kcal_mol, dot_bracket_structure)``.

        Raises
        ------
        TypeError, ValueError
            If ``sequence`` is not valid DNA (or too long for the built-in model).
        """
        seq = self._checked(sequence)
        if self._nupack is not None:
            result = self._with_nupack("mfe", seq)
            return float(result[0].energy), str(result[0].structure)
        energy, structure, _ = mfe(seq)
        return energy, structure

    def compute_pair_probabilities(self, sequence: str) -> npt.NDArray[np.float64]:
        """Equilibrium base-pair probability matrix.

        Parameters
        ----------
        sequence : str
            Non-empty ACGT (either case); at most 300 nt for the built-in model.

        Returns
        -------
        ndarray of float64, shape (n, n)
            Entry ``(i, j)`` is the probability that bases ``i`` and ``j`` pair.

        Raises
        ------
        TypeError, ValueError
            As ``compute_mfe``.
        """
        seq = self._checked(sequence)
        if self._nupack is not None:
            return np.asarray(self._with_nupack("pairs", seq).to_array(), dtype=np.float64)
        return pair_probabilities(seq, self._temperature_c)

    def validate_design(self, design: DNACircuitDesign) -> dict[str, Any]:
        """Validate every strand of a design.

        A strand of a single-stranded role (``FOLDING_ROLES``) with an MFE below -2 kcal/mol
        has an unwanted structure; ``cross_hybridization`` lists the complementary stretches
        between strands of different gates (``CrossHybridizationChecker``).

        Parameters
        ----------
        design : DNACircuitDesign
            The design whose strands are folded and compared.

        Returns
        -------
        dict
            ``valid`` (no unwanted structure, no design-rule warning, no cross-gate
            stretch), ``strand_results`` (name -> ``mfe_energy``, ``structure``,
            ``gc_content``, ``homopolymer_max``, ``has_unwanted_structure``),
            ``cross_hybridization``, ``warnings`` (``design.validate()``) and ``backend``.

        Raises
        ------
        TypeError
            If ``design`` is not a ``DNACircuitDesign``.
        """
        check_design(design)
        results: dict[str, Any] = {}
        unwanted = False
        for strand in design.all_strands:
            energy, structure = self.compute_mfe(strand.sequence)
            folds = energy < UNWANTED_STRUCTURE_DG and strand.role in FOLDING_ROLES
            unwanted = unwanted or folds
            results[strand.name] = {"mfe_energy": energy, "structure": structure,
                                    "gc_content": strand.gc_content,
                                    "homopolymer_max": strand.max_homopolymer_run,
                                    "has_unwanted_structure": folds}
        cross = [f for f in CrossHybridizationChecker().check(design) if not f["same_gate"]]
        warnings = design.validate()
        return {"valid": not (unwanted or warnings or cross), "strand_results": results,
                "cross_hybridization": cross, "warnings": warnings, "backend": self.backend}

    @staticmethod
    def executable() -> str | None:
        """Path of NUPACK 3's ``complexes`` executable, or ``None`` when it is not on ``PATH``.

        Returns
        -------
        str or None
        """
        return shutil.which(_COMPLEXES)

    def write_input(self, design: DNACircuitDesign, prefix: str | os.PathLike[str],
                    max_complex_size: int = 2) -> str:
        """Write ``<prefix>.in``, the input of NUPACK 3's ``complexes``.

        Parameters
        ----------
        design : DNACircuitDesign
        prefix : str or PathLike
            The file name without ``.in``.
        max_complex_size : int, optional
            Largest complex (strands) NUPACK enumerates, in [1, 8] (default 2).

        Returns
        -------
        str
            The path written.

        Raises
        ------
        TypeError, ValueError
            For a bad argument.
        """
        path = os.fspath(prefix) + ".in"
        with open(path, "w", encoding="ascii") as handle:
            handle.write(nupack_input_text(design, max_complex_size))
        return path

    def run_complexes(self, prefix: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
        """Run ``complexes -material dna -T <t> -sodium <na> <prefix>`` on a written input.

        Parameters
        ----------
        prefix : str or PathLike
            The prefix given to ``write_input``.

        Returns
        -------
        subprocess.CompletedProcess
            The finished run (NUPACK writes ``<prefix>.cx`` and friends).

        Raises
        ------
        RuntimeError
            If the ``complexes`` executable is not on ``PATH`` (NUPACK 3 not installed) or
            it fails.
        """
        exe = self.executable()
        if exe is None:
            raise RuntimeError("NUPACK's `complexes` executable is not on PATH (NUPACK 3 is "
                               "not installed); the input written by write_input() can be run "
                               "where it is, or use compute_mfe() with the built-in model")
        argv = [exe, "-material", "dna", "-T", repr(self._temperature_c), "-sodium",
                repr(self._na_M), os.fspath(prefix)]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"complexes failed ({done.returncode}): {done.stderr.strip()}")
        return done
