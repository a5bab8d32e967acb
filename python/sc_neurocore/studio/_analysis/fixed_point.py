"""Signed fixed-point words and the bit-true fixed-point run of an equation system.

A ``Q<m>.<f>`` word has ``W = m + f`` bits (8 to 32, ``m >= 1``: the sign bit
counts), two's complement, words in ``[-2^(W-1), 2^(W-1) - 1]``, value
``word / 2^f``. Encoding a real ``x`` gives ``rint(x * 2^f)`` (ties to even;
exact, a power-of-two scaling) and is refused unless ``x`` lies in
``[min_word / 2^f, max_word / 2^f]``.

The run (every operation on integers, so both sides agree bit for bit):

* a literal, ``pi`` or parameter is its encoded word; ``I`` is the drive
  sample's word; a state variable is its word;
* ``a + b``, ``a - b``, ``-a``, ``abs(a)``: exact, then the overflow policy;
* ``a * b``: the exact product ``p``, then ``p >> f`` (``"truncate"``: floor)
  or ``(p + 2^(f-1)) >> f`` (``"nearest"``: ties up), then the overflow policy;
* ``a / c`` with ``c`` free of state and ``I``: ``a * word(1 / c)``, the
  reciprocal computed in doubles from the requested values (a reciprocal
  that is 0, infinite or encodes to word 0 is refused); other divisions, and
  ``exp log sqrt sin cos tanh cosh sinh`` (which need look-up tables), are
  refused;
* ``a ** n`` for an integer literal ``0 <= n <= 16``: ``n - 1`` products left
  to right (``a ** 0`` is the word of 1.0); other powers are refused;
* ``min``, ``max``, ``clip`` and comparisons: exact on words;
* overflow policy: ``"saturate"`` clamps to the word range, ``"wrap"`` keeps
  the low ``W`` bits (two's complement);
* Euler step: ``x = fit(x + mul(d_x, word(dt)))`` for every variable after
  all derivatives are evaluated; threshold and resets as in the float run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .equations import INPUT_NAME, EquationSystem
from .errors import input_error
from .expressions import (
    PI,
    Bin,
    BoolOp,
    Call,
    Cmp,
    EvaluationError,
    Neg,
    Node,
    Not,
    Num,
    Var,
    evaluate,
    names_of,
)

__all__ = ["WordFormat", "FixedProgram", "resolve_word_format",
           "compile_fixed", "run_fixed", "SUPPORTED_OVERFLOW", "SUPPORTED_ROUNDING",
           "MIN_DATA_WIDTH", "MAX_DATA_WIDTH", "MAX_INTEGER_POWER"]

SUPPORTED_OVERFLOW: tuple[str, ...] = ("saturate", "wrap")
"""Overflow policies of the fixed-point run."""
SUPPORTED_ROUNDING: tuple[str, ...] = ("truncate", "nearest")
"""Product rounding policies of the fixed-point run."""
MIN_DATA_WIDTH = 8
"""Fewest bits of a word."""
MAX_DATA_WIDTH = 32
"""Most bits of a word."""
MAX_INTEGER_POWER = 16
"""Largest literal exponent of ``a ** n`` in the fixed-point run."""
_LABEL = re.compile(r"Q([0-9]{1,3})\.([0-9]{1,3})")


def resolve_word_format(q_format: str) -> tuple[int, int]:
    """``(data_width, fraction)`` of a ``Q<m>.<f>`` label (``"Q8.8"`` -> ``(16, 8)``).

    Parameters
    ----------
    q_format : str
        The label: ``m >= 1`` integer bits (sign included) and ``f``
        fractional bits, ``8 <= m + f <= 32``.

    Returns
    -------
    (int, int)
        Total bits and fractional bits.

    Raises
    ------
    ModelInputError
        For another label (naming ``q_format``).
    """
    match = _LABEL.fullmatch(q_format) if isinstance(q_format, str) else None
    if match is None:
        raise input_error("q_format", f"{q_format!r} is not a Q<int>.<frac> label")
    integer, fraction = int(match[1]), int(match[2])
    width = integer + fraction
    if not MIN_DATA_WIDTH <= width <= MAX_DATA_WIDTH:
        raise input_error("q_format", f"{q_format} has {width} bits; the fixed-point run "
                                      f"supports {MIN_DATA_WIDTH} to {MAX_DATA_WIDTH}")
    if integer < 1:
        raise input_error("q_format", f"{q_format} leaves no integer bit")
    return width, fraction


@dataclass(frozen=True)
class WordFormat:
    """A signed word format with its overflow and rounding policies.

    Attributes
    ----------
    data_width : int
        Bits per word, the sign bit included.
    fraction : int
        Fractional bits.
    overflow : str
        ``"saturate"`` or ``"wrap"``.
    rounding : str
        ``"truncate"`` or ``"nearest"``.
    """

    data_width: int
    fraction: int
    overflow: str
    rounding: str

    @property
    def min_word(self) -> int:
        """Smallest word, ``-2^(W-1)``."""
        return -(1 << (self.data_width - 1))

    @property
    def max_word(self) -> int:
        """Largest word, ``2^(W-1) - 1``."""
        return (1 << (self.data_width - 1)) - 1

    @property
    def scale(self) -> float:
        """``2^f``."""
        return float(1 << self.fraction)

    @property
    def min_value(self) -> float:
        """The value of the smallest word."""
        return self.min_word / self.scale

    @property
    def max_value(self) -> float:
        """The value of the largest word."""
        return self.max_word / self.scale

    @property
    def resolution(self) -> float:
        """``2^-f``."""
        return 1.0 / self.scale

    @property
    def label(self) -> str:
        """``Q<m>.<f>``."""
        return f"Q{self.data_width - self.fraction}.{self.fraction}"

    @property
    def span(self) -> str:
        """``[min_value, max_value]`` as text."""
        return f"[{self.min_value!r}, {self.max_value!r}]"

    def representable(self, x: float) -> bool:
        """Whether ``x`` is finite and within ``[min_value, max_value]``."""
        return self.min_value <= x <= self.max_value

    def encode(self, x: float) -> int:
        """``rint(x * 2^f)`` (ties to even) of a representable ``x``."""
        return round(x * self.scale)

    def decode(self, word: int) -> float:
        """``word / 2^f``."""
        return word / self.scale

    def fit(self, n: int) -> int:
        """``n`` brought into the word range by the overflow policy."""
        if self.overflow == "saturate":
            return min(max(n, self.min_word), self.max_word)
        return ((n - self.min_word) % (1 << self.data_width)) + self.min_word

    def mul(self, a: int, b: int) -> int:
        """The product of two words (rounding, then overflow policy)."""
        p = a * b
        if self.fraction == 0:
            return self.fit(p)
        if self.rounding == "nearest":
            p += 1 << (self.fraction - 1)
        return self.fit(p >> self.fraction)


# --------------------------------------------------------------------------- programs

@dataclass(frozen=True)
class _Op:
    op: str  # neg add sub mul abs min max clip cmp:<op> not and or
    args: tuple[_FixedNode, ...]


_FixedNode = int | str | _Op
"""A compiled node: a word (``int``), a state variable or the drive (``str``), or an
operation on compiled nodes."""


@dataclass(frozen=True)
class FixedProgram:
    """An equation system compiled to words (see the module docstring).

    Attributes
    ----------
    fmt : WordFormat
        The format every word of the program is held in.
    variables : tuple of str
        State variables.
    derivatives : tuple
        Compiled right-hand sides.
    threshold : object or None
        Compiled condition.
    resets : tuple
        Compiled ``(variable, expression)`` pairs.
    init : dict of str to int
        Initial words.
    dt_word : int
        The time step's word.
    """

    fmt: WordFormat
    variables: tuple[str, ...]
    derivatives: tuple[_FixedNode, ...]
    threshold: _FixedNode | None
    resets: tuple[tuple[str, _FixedNode], ...]
    init: dict[str, int]
    dt_word: int


class _Compiler:
    def __init__(self, system: EquationSystem, fmt: WordFormat) -> None:
        self.system = system
        self.fmt = fmt
        self.field = "equations"
        self.text = ""

    def word(self, value: float, what: str) -> int:
        if not self.fmt.representable(value):
            raise input_error(self.field, f"{what} in {self.text!r} is not representable in "
                                          f"{self.fmt.label} {self.fmt.span}")
        return self.fmt.encode(value)

    def compile(self, node: Node) -> _FixedNode:
        fmt = self.fmt
        if isinstance(node, Num):
            return self.word(node.value, f"literal {node.value!r}")
        if isinstance(node, Var):
            if node.name == "pi":
                return self.word(PI, "pi")
            if node.name in self.system.params:
                return fmt.encode(self.system.params[node.name])
            return node.name
        if isinstance(node, Neg):
            return _Op("neg", (self.compile(node.arg),))
        if isinstance(node, Bin):
            return self.binary(node)
        if isinstance(node, Call):
            if node.func not in ("abs", "min", "max", "clip"):
                raise input_error(self.field, f"{node.func} in {self.text!r} has no bit-true "
                                              "fixed-point arithmetic here (it needs a look-up "
                                              "table)")
            return _Op(node.func, tuple(self.compile(a) for a in node.args))
        if isinstance(node, Cmp):
            return _Op(f"cmp:{node.op}", (self.compile(node.left), self.compile(node.right)))
        if isinstance(node, Not):
            return _Op("not", (self.compile(node.arg),))
        assert isinstance(node, BoolOp)
        return _Op(node.op, (self.compile(node.left), self.compile(node.right)))

    def binary(self, node: Bin) -> _FixedNode:
        left = self.compile(node.left)
        if node.op in "+-*":
            names = {"+": "add", "-": "sub", "*": "mul"}
            return _Op(names[node.op], (left, self.compile(node.right)))
        if node.op == "/":
            free = [n for n in names_of(node.right) if n not in self.system.params]
            if free:
                raise input_error(self.field, f"division by {free[0]!r} in {self.text!r}: only "
                                              "division by a constant has fixed-point "
                                              "arithmetic here")
            try:
                divisor = evaluate(node.right, self.system.params)
            except EvaluationError as exc:
                raise input_error(self.field, f"a divisor in {self.text!r} fails: {exc}") from None
            if divisor == 0.0:
                raise input_error(self.field, f"a divisor in {self.text!r} is 0")
            reciprocal = 1.0 / divisor
            word = self.word(reciprocal, f"the reciprocal {reciprocal!r} of a divisor")
            if word == 0:
                raise input_error(self.field, f"the reciprocal {reciprocal!r} of a divisor in "
                                              f"{self.text!r} underflows the {self.fmt.label} "
                                              f"resolution {self.fmt.resolution!r}")
            return _Op("mul", (left, word))
        exponent = node.right
        if not (isinstance(exponent, Num) and exponent.value.is_integer()
                and 0 <= exponent.value <= MAX_INTEGER_POWER):
            raise input_error(self.field, f"a power in {self.text!r} needs an integer literal "
                                          f"exponent in [0, {MAX_INTEGER_POWER}] in fixed point")
        n = int(exponent.value)
        if n == 0:
            return self.word(1.0, "the power's 1.0")
        out = left
        for _ in range(n - 1):
            out = _Op("mul", (out, left))
        return out

    def source(self, field: str, text: str, node: Node) -> _FixedNode:
        self.field, self.text = field, text
        return self.compile(node)


def compile_fixed(system: EquationSystem, fmt: WordFormat, dt: float,
                  threshold_text: str | None, reset_text: str | None) -> FixedProgram:
    """Compile ``system`` for the fixed-point run, refusing what the words cannot hold.

    Raises
    ------
    ModelInputError
        A parameter (``params.<name>``), initial value (``init.<name>``),
        ``dt``, literal or reciprocal (``equations``/``threshold``/``reset``)
        the format cannot represent, or an operation without fixed-point
        arithmetic (naming the field).
    """
    for name, value in system.params.items():
        if not fmt.representable(value):
            raise input_error(f"params.{name}", f"{value!r} is not representable in {fmt.label} "
                                                f"{fmt.span}")
    for name, value in system.init.items():
        if not fmt.representable(value):
            raise input_error(f"init.{name}", f"{value!r} is not representable in {fmt.label} "
                                              f"{fmt.span}")
    if not fmt.representable(dt):
        raise input_error("dt", f"{dt!r} is not representable in {fmt.label} {fmt.span}")
    dt_word = fmt.encode(dt)
    if dt_word == 0:
        raise input_error("dt", f"{dt!r} underflows the {fmt.label} resolution "
                                f"{fmt.resolution!r}")
    c = _Compiler(system, fmt)
    derivatives = tuple(c.source("equations", system.texts[name], d)
                        for name, d in zip(system.variables, system.derivatives))
    threshold = (None if system.threshold is None
                 else c.source("threshold", threshold_text or "", system.threshold))
    resets = tuple((name, c.source("reset", reset_text or "", node))
                   for name, node in system.resets)
    return FixedProgram(fmt, system.variables, derivatives, threshold, resets,
                        {name: fmt.encode(v) for name, v in system.init.items()}, dt_word)


def _value(node: _FixedNode, fmt: WordFormat, env: Mapping[str, int]) -> int:
    if isinstance(node, int):
        return node
    if isinstance(node, str):
        return env[node]
    args = node.args
    op = node.op
    if op == "neg":
        return fmt.fit(-_value(args[0], fmt, env))
    if op == "abs":
        return fmt.fit(abs(_value(args[0], fmt, env)))
    if op in ("add", "sub", "mul"):
        a, b = _value(args[0], fmt, env), _value(args[1], fmt, env)
        if op == "mul":
            return fmt.mul(a, b)
        return fmt.fit(a + b if op == "add" else a - b)
    values = [_value(a, fmt, env) for a in args]
    if op == "min":
        return min(values)
    if op == "max":
        return max(values)
    return min(max(values[0], values[1]), values[2])  # clip


def _holds(node: _FixedNode, fmt: WordFormat, env: Mapping[str, int]) -> bool:
    assert isinstance(node, _Op)
    if node.op == "not":
        return not _holds(node.args[0], fmt, env)
    if node.op == "and":
        return _holds(node.args[0], fmt, env) and _holds(node.args[1], fmt, env)
    if node.op == "or":
        return _holds(node.args[0], fmt, env) or _holds(node.args[1], fmt, env)
    a, b = _value(node.args[0], fmt, env), _value(node.args[1], fmt, env)
    return {"cmp:<": a < b, "cmp:<=": a <= b, "cmp:>": a > b, "cmp:>=": a >= b,
            "cmp:==": a == b, "cmp:!=": a != b}[node.op]


def run_fixed(program: FixedProgram, drive_words: Sequence[int]
              ) -> tuple[dict[str, list[int]], list[int]]:
    """The bit-true run: ``(state words per variable and step, spike steps)``."""
    fmt = program.fmt
    state = dict(program.init)
    words: dict[str, list[int]] = {name: [0] * len(drive_words) for name in program.variables}
    spikes: list[int] = []
    for k, drive in enumerate(drive_words):
        env = {**state, INPUT_NAME: drive}
        rates = [_value(d, fmt, env) for d in program.derivatives]
        for name, rate in zip(program.variables, rates):
            state[name] = fmt.fit(state[name] + fmt.mul(rate, program.dt_word))
        if program.threshold is not None:
            env = {**state, INPUT_NAME: drive}
            if _holds(program.threshold, fmt, env):
                spikes.append(k)
                values = [(name, _value(node, fmt, env)) for name, node in program.resets]
                for name, value in values:
                    state[name] = value
        for name in program.variables:
            words[name][k] = state[name]
    return words, spikes
