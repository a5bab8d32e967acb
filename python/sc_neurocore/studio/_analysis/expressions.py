"""The expression language of equation systems: tokens, syntax tree, float evaluation.

Expressions are a small, side-effect-free subset of Python's syntax, parsed
here by hand (no ``eval``, no ``ast``) with the same rules as the Rust
mirror:

* numbers ``12``, ``1.5``, ``.5``, ``2.``, ``1e-3`` (read as doubles,
  correctly rounded; a number that overflows is refused); names
  ``[A-Za-z_][A-Za-z0-9_]*``; the constant ``pi``;
* ``+ - * /`` and ``**`` (right-associative, binding tighter than a unary
  sign: ``-x**2 == -(x**2)``), parentheses;
* calls of ``exp log sqrt abs sin cos tanh cosh sinh`` (one argument),
  ``min``/``max`` (two or more) and ``clip(x, lo, hi)``;
* in conditions only: one comparison ``< <= > >= == !=`` (no chains) and
  ``not``, ``and``, ``or`` (short-circuit).

Float evaluation computes in doubles, one rounding per operation, in the
order the tree gives (left operand first). Every intermediate value must be
finite: a division by zero, a function outside its domain (``log`` of a
number ``<= 0``, ``sqrt`` of a negative one, a negative base to a fractional
power) or an overflow is an evaluation error, never a NaN or an infinity.
``pow``, ``exp``, ``log``, ``sin``, ``cos``, ``tanh``, ``cosh`` and ``sinh``
come from the math library; ``min``/``max`` return the first of equal values;
``clip(x, lo, hi) = min(max(x, lo), hi)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["PI", "FUNCTIONS", "ExpressionError", "EvaluationError", "Num", "Var", "Neg", "Bin",
           "Call", "Cmp", "Not", "BoolOp", "Node", "parse_expression", "parse_condition",
           "names_of", "evaluate", "holds"]

PI = 3.141592653589793
"""``pi`` as a double: the value of the name ``pi``."""
#: Functions and their argument counts (``None``: two or more).
FUNCTIONS: Mapping[str, int | None] = {
    "exp": 1, "log": 1, "sqrt": 1, "abs": 1, "sin": 1, "cos": 1, "tanh": 1, "cosh": 1,
    "sinh": 1, "min": None, "max": None, "clip": 3}
_KEYWORDS = ("and", "or", "not")
_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
_TWO_CHAR = ("**", "<=", ">=", "==", "!=")
_ONE_CHAR = "+-*/(),<>"


class ExpressionError(ValueError):
    """An expression that does not parse (the message says where and why)."""


class EvaluationError(ArithmeticError):
    """An evaluation that left the finite doubles (division by zero, domain, overflow)."""


# Operator nodes (binary, call, unary), then the leaves (numbers and names).

@dataclass(frozen=True)
class _Binary:
    """A node ``left op right``."""

    op: str
    left: Node
    right: Node


class Bin(_Binary):
    """``left op right`` for ``op`` in ``+ - * / **``."""


class Cmp(_Binary):
    """``left op right`` for a comparison ``op`` (a condition)."""


class BoolOp(_Binary):
    """``left and right`` / ``left or right`` (a condition)."""


@dataclass(frozen=True)
class Call:
    """``func(args...)``."""

    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class _Unary:
    """A node with one operand ``arg``."""

    arg: Node


class Neg(_Unary):
    """``-arg``."""


class Not(_Unary):
    """``not arg`` (a condition)."""


@dataclass(frozen=True)
class Num:
    """A number literal."""

    value: float


@dataclass(frozen=True)
class Var:
    """A name: a state variable, a parameter, the input ``I`` or ``pi``."""

    name: str


Node = Num | Var | Neg | Bin | Call | Cmp | Not | BoolOp
"""A syntax-tree node."""


def _is_condition(node: Node) -> bool:
    return isinstance(node, (Cmp, Not, BoolOp))


# --------------------------------------------------------------------------- tokens

def _tokens(text: str) -> list[tuple[str, str, int]]:
    """``(kind, text, position)`` of every token, ending with ``("end", "", len(text))``."""
    out: list[tuple[str, str, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
        elif c.isascii() and (c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit())):
            j = i
            while j < n and text[j].isascii() and text[j].isdigit():
                j += 1
            if j < n and text[j] == ".":
                j += 1
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            if j < n and text[j] in "eE":
                k = j + 1
                if k < n and text[k] in "+-":
                    k += 1
                if not (k < n and text[k].isascii() and text[k].isdigit()):
                    raise ExpressionError(f"malformed number at position {i} of {text!r}")
                j = k
                while j < n and text[j].isascii() and text[j].isdigit():
                    j += 1
            if j < n and (text[j].isascii() and (text[j].isalnum() or text[j] in "_.")):
                raise ExpressionError(f"malformed number at position {i} of {text!r}")
            out.append(("num", text[i:j], i))
            i = j
        elif c.isascii() and (c.isalpha() or c == "_"):
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            out.append(("name", text[i:j], i))
            i = j
        elif text[i:i + 2] in _TWO_CHAR:
            out.append(("op", text[i:i + 2], i))
            i += 2
        elif c in _ONE_CHAR:
            out.append(("op", c, i))
            i += 1
        else:
            raise ExpressionError(f"unexpected character {c!r} at position {i} of {text!r}")
    out.append(("end", "", n))
    return out


# --------------------------------------------------------------------------- parser

class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.pos]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def at(self, kind: str, text: str) -> bool:
        token = self.tokens[self.pos]
        return token[0] == kind and token[1] == text

    def fail(self, what: str) -> ExpressionError:
        kind, text, where = self.peek()
        found = "the end" if kind == "end" else repr(text)
        return ExpressionError(f"{what} at position {where} of {self.text!r}, found {found}")

    def number(self, node: Node) -> Node:
        if _is_condition(node):
            raise ExpressionError(f"a condition is used as a number in {self.text!r}")
        return node

    def condition(self, node: Node) -> Node:
        if not _is_condition(node):
            raise ExpressionError(f"a number is used as a condition in {self.text!r}")
        return node

    def parse_or(self) -> Node:
        return self.parse_chain("name", ("or",), self.parse_and, BoolOp, self.condition)

    def parse_and(self) -> Node:
        return self.parse_chain("name", ("and",), self.parse_not, BoolOp, self.condition)

    def parse_chain(self, kind: str, ops: tuple[str, ...], operand: Callable[[], Node],
                    node: Callable[[str, Node, Node], Node],
                    operand_check: Callable[[Node], Node]) -> Node:
        """``operand (op operand)*``, left-associative, for the ``kind`` tokens ``ops``.

        ``operand_check`` checks each operand (a number for arithmetic, a
        condition for ``and`` / ``or``).
        """
        left = operand()
        while self.peek()[0] == kind and self.peek()[1] in ops:
            op = self.take()[1]
            left = node(op, operand_check(left), operand_check(operand()))
        return left

    def parse_not(self) -> Node:
        if self.at("name", "not"):
            self.take()
            return Not(self.condition(self.parse_not()))
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        left = self.parse_arith()
        kind, text, _ = self.peek()
        if kind == "op" and text in _COMPARISONS:
            self.take()
            node = Cmp(text, self.number(left), self.number(self.parse_arith()))
            kind, text, _ = self.peek()
            if kind == "op" and text in _COMPARISONS:
                raise self.fail("chained comparisons are not supported")
            return node
        return left

    def parse_arith(self) -> Node:
        return self.parse_chain("op", ("+", "-"), self.parse_term, Bin, self.number)

    def parse_term(self) -> Node:
        return self.parse_chain("op", ("*", "/"), self.parse_factor, Bin, self.number)

    def parse_factor(self) -> Node:
        if self.at("op", "-"):
            self.take()
            return Neg(self.number(self.parse_factor()))
        if self.at("op", "+"):
            self.take()
            return self.number(self.parse_factor())
        return self.parse_power()

    def parse_power(self) -> Node:
        base = self.parse_primary()
        if self.at("op", "**"):
            self.take()
            return Bin("**", self.number(base), self.number(self.parse_factor()))
        return base

    def parse_primary(self) -> Node:
        kind, text, _ = self.peek()
        if kind == "num":
            self.take()
            value = float(text)
            if not math.isfinite(value):
                raise ExpressionError(f"number {text} overflows a double in {self.text!r}")
            return Num(value)
        if kind == "name":
            if text in _KEYWORDS:
                raise self.fail("expected a value")
            self.take()
            if self.at("op", "("):
                return self.parse_call(text)
            return Var(text)
        if kind == "op" and text == "(":
            self.take()
            inner = self.parse_or()
            if not self.at("op", ")"):
                raise self.fail("expected ')'")
            self.take()
            return inner
        raise self.fail("expected a value")

    def parse_call(self, func: str) -> Node:
        if func not in FUNCTIONS:
            raise ExpressionError(f"unknown function {func!r} in {self.text!r}; the functions "
                                  f"are {', '.join(FUNCTIONS)}")
        self.take()  # "("
        args = [self.number(self.parse_or())]
        while self.at("op", ","):
            self.take()
            args.append(self.number(self.parse_or()))
        if not self.at("op", ")"):
            raise self.fail("expected ',' or ')'")
        self.take()
        arity = FUNCTIONS[func]
        if (arity is None and len(args) < 2) or (arity is not None and len(args) != arity):
            wanted = "two or more arguments" if arity is None else f"{arity} argument(s)"
            raise ExpressionError(f"{func} takes {wanted}, got {len(args)} in {self.text!r}")
        return Call(func, tuple(args))


def _parse(text: object) -> Node:
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a str, got {type(text).__name__}")
    parser = _Parser(text)
    if parser.peek()[0] == "end":
        raise ExpressionError("an expression must not be empty")
    node = parser.parse_or()
    if parser.peek()[0] != "end":
        raise parser.fail("unexpected text after the expression")
    return node


def parse_expression(text: object) -> Node:
    """The syntax tree of a numeric expression (``ExpressionError`` if it is not one)."""
    node = _parse(text)
    if _is_condition(node):
        raise ExpressionError(f"expected a number, got the condition {text!r}")
    return node


def parse_condition(text: object) -> Node:
    """The syntax tree of a condition (``ExpressionError`` if it is not one)."""
    node = _parse(text)
    if not _is_condition(node):
        raise ExpressionError(f"expected a condition (a comparison), got {text!r}")
    return node


def names_of(node: Node) -> list[str]:
    """The names an expression reads, in first-use order (``pi`` and functions excluded)."""
    seen: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, Var):
            if n.name != "pi" and n.name not in seen:
                seen.append(n.name)
        elif isinstance(n, _Unary):
            walk(n.arg)
        elif isinstance(n, _Binary):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Call):
            for a in n.args:
                walk(a)
    walk(node)
    return seen


# --------------------------------------------------------------------------- evaluation

def _finite(x: float, what: str) -> float:
    if not math.isfinite(x):
        raise EvaluationError(f"{what} is not finite ({x!r})")
    return x


def _first_min(values: list[float]) -> float:
    best = values[0]
    for x in values[1:]:
        if x < best:
            best = x
    return best


def _first_max(values: list[float]) -> float:
    best = values[0]
    for x in values[1:]:
        if x > best:
            best = x
    return best


def _math(f: Callable[[float], float]) -> Callable[[list[float]], float]:
    def call(args: list[float]) -> float:
        try:
            return f(args[0])
        except (ValueError, OverflowError) as exc:
            raise EvaluationError(str(exc)) from None
    return call


_CALLS: Mapping[str, Callable[[list[float]], float]] = {
    "exp": _math(math.exp), "log": _math(math.log), "sqrt": _math(math.sqrt),
    "abs": lambda a: abs(a[0]), "sin": _math(math.sin), "cos": _math(math.cos),
    "tanh": _math(math.tanh), "cosh": _math(math.cosh), "sinh": _math(math.sinh),
    "min": _first_min, "max": _first_max,
    "clip": lambda a: _first_min([_first_max([a[0], a[1]]), a[2]])}


def evaluate(node: Node, env: Mapping[str, float]) -> float:
    """The value of a numeric expression for the names of ``env`` (``pi`` is built in).

    Raises
    ------
    EvaluationError
        If an intermediate value is not finite or a division divides by zero.
    KeyError
        If a name is not in ``env`` (callers check the names first).
    """
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Var):
        return PI if node.name == "pi" else env[node.name]
    if isinstance(node, Neg):
        return -evaluate(node.arg, env)
    if isinstance(node, Bin):
        a = evaluate(node.left, env)
        b = evaluate(node.right, env)
        if node.op == "+":
            return _finite(a + b, "a sum")
        if node.op == "-":
            return _finite(a - b, "a difference")
        if node.op == "*":
            return _finite(a * b, "a product")
        if node.op == "/":
            if b == 0.0:
                raise EvaluationError("division by zero")
            return _finite(a / b, "a quotient")
        try:
            return _finite(math.pow(a, b), "a power")
        except (ValueError, OverflowError) as exc:
            raise EvaluationError(f"a power failed: {exc}") from None
    if isinstance(node, Call):
        args = [evaluate(a, env) for a in node.args]
        return _finite(_CALLS[node.func](args), f"{node.func}(...)")
    raise EvaluationError(f"a condition is not a number: {node!r}")


def holds(node: Node, env: Mapping[str, float]) -> bool:
    """Whether a condition holds for the names of ``env`` (``and``/``or`` short-circuit).

    Raises
    ------
    EvaluationError
        As [`evaluate`][sc_neurocore.studio.analysis.evaluate] does.
    """
    if isinstance(node, Cmp):
        a, b = evaluate(node.left, env), evaluate(node.right, env)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b,
                "!=": a != b}[node.op]
    if isinstance(node, Not):
        return not holds(node.arg, env)
    if isinstance(node, BoolOp):
        if node.op == "and":
            return holds(node.left, env) and holds(node.right, env)
        return holds(node.left, env) or holds(node.right, env)
    raise EvaluationError(f"a number is not a condition: {node!r}")
