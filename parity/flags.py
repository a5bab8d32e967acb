"""Why a golden case is invalid: the flag vocabulary of parity/FORMAT.md ("Invalid-case flags").

Every invalid case of every golden file carries one ``flags`` line naming the
reasons it must be refused (as Wycheproof's test vectors do), so a program can
select or count cases by reason without reading their comments.  The readers
check only the spelling of a flag (``[A-Z][A-Za-z0-9]*``); the vocabulary
below is checked where cases are built (:func:`check_flags`, called by both
case builders) and by the test suite on every committed file.

Two kinds of flag:

* a **defect** says what is wrong with the inputs; every invalid case has at
  least one;
* a **subject** narrows down which input or which edge the case is about; it
  comes with the defect flag that says what is wrong with it.
"""

from __future__ import annotations

import re

__all__ = ["DEFECTS", "SUBJECTS", "FLAGS", "FLAG_SPELLING", "check_flags"]

#: Defect flags: what is wrong with the inputs (name -> meaning).
DEFECTS: dict[str, str] = {
    "WrongType": "a value's type or dtype is not accepted (a float where an integer is "
                 "required, a string where a number is, a number where a string or a "
                 "sequence is)",
    "WrongRank": "an array has the wrong number of dimensions",
    "WrongShape": "a size disagrees with another input, with a declared dimension or with "
                  "a required count (operand shapes, n_in, packed words for the length, "
                  "a vector of the wrong length, a non-square matrix, too few elements, "
                  "a call with the wrong number of arguments)",
    "Empty": "an array, string or collection that must hold something is empty",
    "NonFinite": "a NaN or an infinity where a finite number is required",
    "OutOfRange": "a finite number outside its documented range (negative, zero where "
                  "> 0 is required, a probability above 1, an index past the end, a value "
                  "a fixed-point format cannot hold)",
    "TooLarge": "a size or count above a documented limit that bounds memory or run time "
                "(steps, grid points, symbols, sequence length), refused before the work "
                "starts",
    "Overflow": "finite, in-range inputs whose arithmetic overflows (a sum of weights, a "
                "difference of bounds, a membrane potential, a literal beyond the largest "
                "double)",
    "NotBinary": "a bit or mask value that is neither 0 nor 1",
    "NotSymmetric": "a matrix that must be symmetric (within its tolerance) is not",
    "NotPositiveDefinite": "a matrix that must be positive definite or semidefinite is not "
                           "(a negative eigenvalue, a pivot too small, a singular matrix)",
    "Malformed": "text or encoded data that does not follow its grammar (an expression, an "
                 "equation, a Q-format label, a DNA sequence, an identifier, a codeword "
                 "no single error explains)",
    "Unknown": "a name or choice that is not one of the accepted ones (op, model, protocol, "
               "parameter, compiler, an input the function does not take)",
    "Missing": "a required input, value or name is absent",
    "Duplicate": "a name given twice where names must be unique",
    "Inconsistent": "values acceptable one by one that contradict each other (a low bound "
                    "above its high bound, v_reset equal to v_threshold, a step too large "
                    "for a rate, a gate driving a primary input)",
    "Unsupported": "a well-formed request the surface documents it does not do (a gate on "
                   "a compiler without it, a function without fixed-point arithmetic)",
}

#: Subject flags: which input or edge the case is about; they come with a defect flag.
SUBJECTS: dict[str, str] = {
    "BadSeed": "the refused input is a seed",
    "BadLength": "the refused input is a stream length (length, n_bits, bitstream_length) "
                 "or the packed words it implies",
    "Boundary": "the refused value is the nearest one past a limit or tolerance (1 + 2^-52, "
                "-5e-324, 1.1 x a tolerance, the first index past the end)",
}

#: Every known flag, defects first, in the order a ``flags`` line lists them.
FLAGS: dict[str, str] = {**DEFECTS, **SUBJECTS}

#: The spelling of one flag, as every reader checks it (FORMAT.md).
FLAG_SPELLING = re.compile(r"[A-Z][A-Za-z0-9]*")


def check_flags(flags: str, what: str) -> tuple[str, ...]:
    """The flags of ``flags`` (space-separated names), in :data:`FLAGS` order.

    Parameters
    ----------
    flags : str
        The flags as a builder writes them, e.g. ``"NonFinite"`` or
        ``"OutOfRange BadSeed"``.
    what : str
        The case, for messages.

    Returns
    -------
    tuple of str
        The flags in canonical order (defects, then subjects).

    Raises
    ------
    ValueError
        If ``flags`` is not a ``str``, names no flag, names one twice, names
        one outside the vocabulary or has no defect flag.
    """
    if not isinstance(flags, str):
        raise ValueError(f"{what}: flags must be a str of flag names, got "
                         f"{type(flags).__name__}")
    names = flags.split()
    if not names:
        raise ValueError(f"{what}: an invalid case needs at least one flag saying why "
                         f"({', '.join(DEFECTS)})")
    if not set(names) <= FLAGS.keys():
        unknown = ", ".join(n for n in names if n not in FLAGS)
        raise ValueError(f"{what}: unknown flag(s) {unknown}; the flags are "
                         f"{', '.join(FLAGS)} (parity/FORMAT.md)")
    if len(set(names)) != len(names):
        raise ValueError(f"{what}: a flag is given twice in {flags!r}")
    if not any(n in DEFECTS for n in names):
        raise ValueError(f"{what}: {flags!r} names no defect flag; a subject flag "
                         f"({', '.join(SUBJECTS)}) comes with one of {', '.join(DEFECTS)}")
    order = list(FLAGS)
    return tuple(sorted(names, key=order.index))
