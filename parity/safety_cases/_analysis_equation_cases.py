"""Cases of ``analysis.txt`` on equation systems: expressions, runs, nullclines, fixed point."""

from __future__ import annotations

from typing import Any

import numpy as np
from sc_neurocore.studio import analysis as A

from ._analysis_adapter import DIRECT_OPS, args_of
from ._analysis_cases import check_drive_margin
from ._builder import SafetyBuilder, as_array, f64, i64, strs

__all__ = ["add_equation_cases"]

LIF = {"equations": strs(["dv/dt = -(v - E_L) / tau_m + I / C"]), "threshold": "v > -50",
       "reset": "v = -65", "params__E_L": -65.0, "params__tau_m": 10.0, "params__C": 1.0,
       "init__v": -65.0}
FHN = {"equations": strs(["dv/dt = v - v*v*v/3 - w + I", "dw/dt = (v + a - b*w)/tau"]),
       "params__a": 0.7, "params__b": 0.8, "params__tau": 12.5}
IZH = {"equations": strs(["dv/dt = 0.04*v*v + 5*v + 140 - u + I", "du/dt = a*(b*v - u)"]),
       "threshold": "v >= 30", "reset": "v = c; u = u + d", "params__a": 0.02, "params__b": 0.2,
       "params__c": -65.0, "params__d": 8.0, "init__v": -65.0, "init__u": -13.0}


def add_equation_cases(b: SafetyBuilder) -> None:
    """Every case of the equation ops."""
    _evaluate(b)
    _simulate(b)
    _nullclines(b)
    _word_format(b)
    _precision(b)


def _evaluate(b: SafetyBuilder) -> None:
    names = {"names__x": 3.0, "names__y": 0.5, "names__z": -2.0, "names__a": 7.0, "names__b": 2.0,
             "names__c": 4.0}
    valid = [
        ("precedence: * before +", "1 + 2 * 3"),
        ("unary minus binds looser than **", "-x**2"),
        ("** is right-associative", "2 ** 3 ** 2"),
        ("a power with a negative exponent", "b ** -1"),
        ("left to right within a level", "(a - b) / c - x / y / b"),
        ("number spellings", ".5 + 2. + 1e-3 + 1E+2 + 12"),
        ("min and max keep the first of equal values", "min(x, y, z, y) + max(z, a, a)"),
        ("clip and abs", "clip(x, 0, 1) + clip(z, -1, 1) + abs(-x) + abs(z)"),
        ("sqrt is correctly rounded", "sqrt(x) + sqrt(2)"),
        ("math-library functions (within rtol)",
         "exp(y) + log(a) + sin(x) + cos(z) + tanh(y) + cosh(y) + sinh(y)"),
        ("pi", "pi * 2 - pi"),
        ("repeated signs", "- - x + + y - -z"),
        ("nested parentheses", "((x + (y * (z - a))) / ((b)))"),
        ("division by zero fails", "x / (b - 2)"),
        ("log(0) fails", "log(x - 3)"),
        ("sqrt of a negative number fails", "sqrt(z)"),
        ("exp overflows", "exp(1000 * x)"),
        ("a product overflows", "1e308 * 10 * x"),
        ("a negative base to a fractional power fails", "z ** 0.5"),
        ("0 to a negative power fails", "(x - 3) ** -1"),
    ]
    for comment, text in valid:
        b.valid(comment, "evaluate", expression=text, **names)
    invalid = [
        ("empty", "Empty", ""), ("a trailing operator", "Malformed", "1 +"),
        ("two values in a row", "Malformed", "x y"),
        ("a number glued to a name", "Malformed", "2x"),
        ("a malformed number", "Malformed", "1..2"),
        ("an exponent without digits", "Malformed", "1e+"),
        ("an unknown function", "Unknown", "foo(1)"), ("min of one value", "Malformed", "min(x)"),
        ("clip of two values", "Malformed", "clip(x, 1)"),
        ("a condition as a number", "WrongType", "x < y"),
        ("an unknown character", "Malformed", "x $ y"),
        ("an unclosed parenthesis", "Malformed", "(1 + x"),
        ("an extra parenthesis", "Malformed", "1 + x)"),
        ("a keyword as a value", "Malformed", "x + and"),
        ("a number that overflows", "Overflow", "1e400"),
        ("floor division", "Unsupported", "x // y"),
        ("a name the case does not give", "Missing", "x + q"),
    ]
    for comment, flags, text in invalid:
        b.invalid(comment, flags, "evaluate", expression=text, **names)
    b.invalid("the expression as a float", "WrongType", "evaluate", expression=1.0, **names)
    b.invalid("a variable value NaN", "NonFinite", "evaluate", expression="x + 1",
              **{**names, "names__x": np.nan})


def _driven(b: SafetyBuilder, comment: str, **inputs: Any) -> None:
    """A valid ``simulate_equations`` case whose spikes must not depend on a last ulp."""
    arrays = {k: as_array(v, k) for k, v in inputs.items()}
    args = args_of(arrays, DIRECT_OPS["simulate_equations"])
    check_drive_margin(comment, lambda sim: sim(**args), A.simulate_equations)
    b.valid(comment, "simulate_equations", **inputs)


def _simulate(b: SafetyBuilder) -> None:
    run = {"dt": 0.1, "duration": 50.0, "current": 30.0}
    b.valid("the reference lif example", "simulate_equations", **LIF, **run)
    b.valid("the same at dt 0.125 (an exact step)", "simulate_equations", **LIF,
            **{**run, "dt": 0.125})
    b.valid("fitzhugh_nagumo from equations, threshold without reset", "simulate_equations",
            **FHN, threshold="v >= 1", **{"init__v": -1.2, "init__w": -0.625}, dt=0.1,
            duration=100.0, current=0.5)
    b.valid("izhikevich: both resets read the state before either is assigned",
            "simulate_equations", **IZH, dt=0.5, duration=200.0, current=10.0)
    b.valid("a compound threshold (and, or, not)", "simulate_equations",
            equations=strs(["dv/dt = 1 - 0.1*v", "dw/dt = v - w"]),
            threshold="v > 5 and not (w > 4) or v >= 9.5", reset="v = 0", dt=0.5,
            duration=60.0)
    b.valid("clip, min, max and abs in an equation", "simulate_equations",
            equations=strs(["dv/dt = clip(I - v, -2, 2) + min(v, 0) * max(abs(v), 1)"]),
            threshold="v > 3", reset="v = -1", dt=0.25, duration=20.0, current=5.0)
    b.valid("a variable missing from init starts at 0; no threshold", "simulate_equations",
            equations=strs(["dx/dt = -x + I", "dy/dt = x - y"]), dt=0.1, duration=5.0,
            current=1.0, **{"init__x": 0.5})
    for protocol in ("step", "ramp", "pulse"):
        b.valid(f"lif, {protocol} protocol", "simulate_equations", **LIF, **run,
                protocol=protocol)
    _driven(b, "lif, a 30 Hz sine about a bias (sin: within rtol)", **LIF, **run,
            protocol="sine", frequency_hz=30.0, bias=20.0)
    _driven(b, "an exponential integrate-and-fire (exp: within rtol)",
            equations=strs(["dv/dt = (-(v - E_L) + D * exp((v - V_T) / D)) / tau + I"]),
            threshold="v > 0", reset="v = E_L", dt=0.1, duration=50.0, current=2.5,
            **{"params__E_L": -65.0, "params__D": 2.0, "params__V_T": -50.0, "params__tau": 10.0,
               "init__v": -65.0})
    bad: list[tuple[str, str, dict[str, object]]] = [
        ("no equations", "Empty", {"equations": strs([])}),
        ("equations as one str", "WrongType", {"equations": "dv/dt = -v"}),
        ("not d<var>/dt", "Malformed", {"equations": strs(["v = -v"])}),
        ("a map update (== is not =)", "Malformed", {"equations": strs(["dv/dt == -v"])}),
        ("two equations for one variable", "Duplicate",
         {"equations": strs(["dv/dt = 1", "dv/dt = 2"])}),
        ("an unparsable right-hand side", "Malformed", {"equations": strs(["dv/dt = (1 +"])}),
        ("an unknown symbol", "Unknown", {"equations": strs(["dv/dt = -v + g"])}),
        ("the noise symbol in a run", "Unsupported", {"equations": strs(["dv/dt = -v + xi"])}),
        ("a reserved variable name", "Inconsistent", {"equations": strs(["dI/dt = 1"])}),
        ("a threshold that is a number", "Malformed", {"threshold": "v + 1"}),
        ("a reset of an unknown variable", "Unknown", {"reset": "u = 0"}),
        ("a reset without '='", "Malformed", {"reset": "v"}),
        ("a parameter named like a variable", "Duplicate", {"params__v": 1.0}),
        ("a parameter named I", "Inconsistent", {"params__I": 1.0}),
        ("init of an unknown variable", "Unknown", {"init__u": 1.0}),
        ("init NaN", "NonFinite", {"init__v": np.nan}),
        ("a parameter as a str", "WrongType", {"params__tau_m": "ten"}),
        ("dt = 0", "OutOfRange", {"dt": 0.0}),
        ("duration beyond max_steps", "TooLarge", {"max_steps": i64(10)}),
        ("max_steps = 0", "OutOfRange", {"max_steps": i64(0)}),
        ("an unknown protocol", "Unknown", {"protocol": "chirp"}),
        ("current inf", "NonFinite", {"current": np.inf}),
    ]
    for comment, flags, change in bad:
        b.invalid(comment, flags, "simulate_equations", **{**LIF, **run, **change})


def _nullclines(b: SafetyBuilder) -> None:
    fhn_ranges = {"ranges__v": f64([-2.5, 2.5]), "ranges__w": f64([-1.0, 2.0])}
    vw = strs(["v", "w"])
    b.valid("fitzhugh_nagumo on 25 x 25", "nullclines_2d", **FHN, var_names=vw, **fhn_ranges,
            grid_size=i64(25), current=0.5)
    b.valid("fitzhugh_nagumo, default grid_size (80)", "nullclines_2d", **FHN, var_names=vw,
            **fhn_ranges)
    b.valid("default ranges (-80, 40) and (-1, 1) when ranges has none", "nullclines_2d",
            equations=strs(["dv/dt = -(v + 65) / 10 + w * 20", "dw/dt = (v + 60) / 100 - w"]),
            var_names=vw, grid_size=i64(13))
    b.valid("exact zeros on corners count for every cell around them", "nullclines_2d",
            equations=strs(["dx/dt = x - y", "dy/dt = x * x + y * y - 1"]),
            var_names=strs(["x", "y"]), **{"ranges__x": f64([-1.0, 1.0]),
                                          "ranges__y": f64([-1.0, 1.0])}, grid_size=i64(5))
    b.valid("a held third variable (unlisted ones are held at 0)", "nullclines_2d",
            equations=strs(["dv/dt = v - w + u", "dw/dt = v + s - w", "du/dt = -u",
                            "ds/dt = -s"]),
            var_names=vw, **fhn_ranges, grid_size=i64(9), **{"held__u": 0.3})
    b.valid("swept in the order given (y first)", "nullclines_2d", **FHN,
            var_names=strs(["w", "v"]), **fhn_ranges, grid_size=i64(7), current=0.5)
    b.valid("invalid samples (1/v at v = 0, sqrt of negatives): partial", "nullclines_2d",
            equations=strs(["dv/dt = 1 / v - w", "dw/dt = sqrt(v) - w"]), var_names=vw,
            **{"ranges__v": f64([-1.0, 1.0]), "ranges__w": f64([-1.0, 1.0])}, grid_size=i64(5))
    b.valid("a component with no valid sample: empty", "nullclines_2d",
            equations=strs(["dv/dt = sqrt(v - 10)", "dw/dt = v - w"]), var_names=vw,
            **{"ranges__v": f64([-1.0, 1.0]), "ranges__w": f64([-1.0, 1.0])}, grid_size=i64(4))
    b.valid("the noise symbol is 0 in the drift field", "nullclines_2d",
            equations=strs(["dv/dt = -v + 0.5 + xi", "dw/dt = v - w"]), var_names=vw,
            **{"ranges__v": f64([0.0, 1.0]), "ranges__w": f64([0.0, 1.0])}, grid_size=i64(3))
    b.valid("grid_size 2: one cell; ranges as ints", "nullclines_2d", **FHN, var_names=vw,
            **{"ranges__v": i64([-2, 2]), "ranges__w": i64([0, 1])}, grid_size=i64(2))
    base = {**FHN, "var_names": vw, **fhn_ranges, "grid_size": i64(5)}
    bad: list[tuple[str, str, dict[str, object]]] = [
        ("one swept variable", "WrongShape", {"var_names": strs(["v"])}),
        ("three swept variables", "WrongShape", {"var_names": strs(["v", "w", "v"])}),
        ("the same variable twice", "Duplicate", {"var_names": strs(["v", "v"])}),
        ("a swept name that is not an equation variable", "Unknown",
         {"var_names": strs(["v", "q"])}),
        ("a held variable that is swept", "Inconsistent", {"held__v": 1.0}),
        ("a held name that is not an equation variable", "Unknown", {"held__q": 1.0}),
        ("a held value NaN", "NonFinite",
         {"equations": strs(["dv/dt = -v", "dw/dt = -w", "du/dt = -u"]),
                              "held__u": np.nan}),
        ("a range reversed", "Inconsistent", {"ranges__v": f64([1.0, -1.0])}),
        ("a range of width 0", "Inconsistent", {"ranges__w": f64([1.0, 1.0])}),
        ("a range of three values", "WrongShape", {"ranges__v": f64([0.0, 1.0, 2.0])}),
        ("a range with NaN", "NonFinite", {"ranges__v": f64([np.nan, 1.0])}),
        ("a range whose width overflows", "Overflow", {"ranges__v": f64([-1e308, 1e308])}),
        ("grid_size 1", "OutOfRange", {"grid_size": i64(1)}),
        ("grid_size above MAX_GRID", "TooLarge Boundary", {"grid_size": i64(A.MAX_GRID + 1)}),
        ("grid_size as a float", "WrongType", {"grid_size": 5.0}),
        ("an unknown symbol", "Unknown", {"equations": strs(["dv/dt = v - q", "dw/dt = -w"])}),
        ("an equation that does not parse", "Malformed",
         {"equations": strs(["dv/dt = v -", "dw/dt = 1"])}),
        ("current NaN", "NonFinite", {"current": np.nan}),
    ]
    for comment, flags, change in bad:
        b.invalid(comment, flags, "nullclines_2d", **{**base, **change})


def _word_format(b: SafetyBuilder) -> None:
    for label in ("Q8.8", "Q1.7", "Q16.16", "Q2.30", "Q4.12"):
        b.valid(f"{label}", "resolve_word_format", q_format=label)
    for label, why, flags in (("Q0.8", "no integer bit", "OutOfRange"),
                              ("Q8", "no fraction part", "Malformed"),
                              ("q8.8", "lower-case q", "Malformed"),
                              ("Q24.16", "40 bits", "OutOfRange"), ("Q3.4", "7 bits", "OutOfRange"),
                              ("Q8.8 ", "a trailing space", "Malformed")):
        b.invalid(f"{label!r}: {why}", flags, "resolve_word_format", q_format=label)
    b.invalid("a float label", "WrongType", "resolve_word_format", q_format=8.8)


def _precision(b: SafetyBuilder) -> None:
    run = {"dt": 0.125, "duration": 20.0, "current": 30.0}
    b.valid("the reference lif in Q8.8, saturate, truncate", "precision_compare", **LIF, **run)
    b.valid("dt 0.1 encodes to 26/256", "precision_compare", **LIF, **{**run, "dt": 0.1})
    b.valid("rounding nearest", "precision_compare", **LIF, **run, rounding="nearest")
    b.valid("Q16.16, wrap", "precision_compare", **LIF, **run, q_format="Q16.16",
            overflow="wrap")
    b.valid("fitzhugh_nagumo in Q6.10 (v*v*v/3: a reciprocal word)", "precision_compare",
            **FHN, threshold="v >= 1", **{"init__v": -1.2, "init__w": -0.625},
            dt=0.125, duration=40.0, current=0.5, q_format="Q6.10")
    b.valid("izhikevich in Q16.16 with two resets", "precision_compare", **IZH, dt=0.5,
            duration=100.0, current=10.0, q_format="Q16.16")
    growth = {"equations": strs(["dv/dt = 4 * v"]), "init__v": 1.0, "dt": 0.5,
              "duration": 6.0, "current": 0.0}
    b.valid("growth past the word range: saturates at the largest word", "precision_compare",
            **growth)
    b.valid("growth past the word range: wraps around", "precision_compare", **growth,
            overflow="wrap")
    b.valid("clip, min, max and abs on words", "precision_compare",
            equations=strs(["dv/dt = clip(I - v, -2, 2) + min(v, 0) * max(abs(v), 1)"]),
            threshold="v > 3", reset="v = -1", dt=0.25, duration=20.0, current=5.0)
    for protocol in ("step", "ramp", "pulse"):
        b.valid(f"lif, {protocol} protocol", "precision_compare", **LIF, **run,
                protocol=protocol)
    ties = {"equations": strs(["dv/dt = 0.5 * I"]), "dt": 1.0, "duration": 4.0}
    b.valid("products on exact ties: nearest rounds 1.5 up to 2", "precision_compare", **ties,
            current=3 / 256, rounding="nearest")
    b.valid("products on exact ties: truncate floors -1.5 to -2 (not toward zero)",
            "precision_compare", **ties, current=-3 / 256)
    b.valid("Q1.7: an 8-bit word", "precision_compare",
            equations=strs(["dv/dt = 0.5 * (I - v)"]), dt=0.25, duration=4.0, current=0.5,
            q_format="Q1.7")
    bad: list[tuple[str, str, dict[str, object]]] = [
        ("a label without a fraction", "Malformed", {"q_format": "Q8"}),
        ("an unknown overflow policy", "Unknown", {"overflow": "clamp"}),
        ("an unknown rounding policy", "Unknown", {"rounding": "floor"}),
        ("a parameter outside Q8.8", "OutOfRange", {"params__E_L": -200.0}),
        ("an initial value outside Q8.8", "OutOfRange", {"init__v": 130.0}),
        ("dt outside Q8.8", "OutOfRange", {"dt": 200.0, "duration": 400.0}),
        ("dt below the resolution (word 0)", "OutOfRange", {"dt": 0.001, "duration": 0.01}),
        ("a literal outside Q8.8", "OutOfRange",
         {"equations": strs(["dv/dt = -(v - E_L) / tau_m + 1000"])}),
        ("a reciprocal that underflows", "OutOfRange",
         {"equations": strs(["dv/dt = -v / 1000 + I"])}),
        ("a reciprocal outside the range", "OutOfRange",
         {"equations": strs(["dv/dt = -v / 0.001"])}),
        ("division by a state variable", "Unsupported", {"equations": strs(["dv/dt = 1 / v"])}),
        ("a function without fixed-point arithmetic", "Unsupported",
         {"equations": strs(["dv/dt = exp(v)"])}),
        ("a fractional power", "Unsupported", {"equations": strs(["dv/dt = v ** 0.5"])}),
        ("a drive outside Q8.8", "OutOfRange", {"current": 300.0}),
        ("a run longer than max_steps", "TooLarge", {"max_steps": i64(5)}),
        ("an unparsable equation", "Malformed", {"equations": strs(["dv/dt = *"])}),
        ("a threshold with a literal outside Q8.8", "OutOfRange", {"threshold": "v > 500"}),
    ]
    for comment, flags, change in bad:
        b.invalid(comment, flags, "precision_compare", **{**LIF, **run, **change})
