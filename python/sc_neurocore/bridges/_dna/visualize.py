"""Circuit and kinetics pictures: a text rendering always, a matplotlib figure on request.

matplotlib is optional (the ``bench`` extra installs it); only the figures need it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from sc_neurocore._validation import InputTypeError, as_real_array

from .topology import TopologicalAnalyzer
from .types import DNACircuitDesign, check_design

__all__ = ["visualize_circuit", "visualize_kinetics", "SPARK_LEVELS", "SPARK_WIDTH"]

SPARK_LEVELS = " ▁▂▃▄▅▆▇█"
"""Sparkline characters, lowest to highest."""
SPARK_WIDTH = 60
"""Most characters of one sparkline."""


def _figure_class(caller: str) -> Any:
    try:
        module = importlib.import_module("matplotlib.figure")
    except ImportError:
        raise ImportError(f"{caller}(path=...) draws with matplotlib, which is not installed "
                          "(pip install matplotlib, or the package's 'bench' extra); without "
                          "path it returns the text rendering, which needs nothing") from None
    return module.Figure


def visualize_circuit(design: DNACircuitDesign, *,
                      path: str | os.PathLike[str] | None = None) -> str:
    """Render a circuit: a text diagram, and with ``path`` a matplotlib figure too.

    The text lists the circuit's totals, its inputs, each gate as
    ``TYPE(inputs) -> output`` with its strand count and leak rate (gate order), and its
    outputs. The figure places each signal at its topological depth (columns) and draws
    one arrow per gate input.

    Parameters
    ----------
    design : DNACircuitDesign
    path : str or PathLike, optional
        Where to save the figure (any format matplotlib infers from the suffix).

    Returns
    -------
    str
        The text diagram.

    Raises
    ------
    TypeError
        If ``design`` is not a ``DNACircuitDesign``.
    ImportError
        If ``path`` is given and matplotlib is not installed (says so).
    """
    check_design(design)
    inputs = design.input_names or [s.name for s in design.input_strands]
    outputs = design.output_names or [s.name for s in design.output_strands]
    lines = [f"Circuit {design.name} ({design.method.value}, {design.temperature_c} °C): "
             f"{design.total_gates} gates, {design.total_strands} strands, "
             f"{design.total_nucleotides} nt",
             f"  inputs : {', '.join(inputs) or '-'}"]
    for g in design.gates:
        lines.append(f"  g{g.gate_id:<3} {g.gate_type.name}({', '.join(g.input_names)}) -> "
                     f"{g.output_name}   [{g.strand_count} strands, leak {g.leak_rate:.1e} /s]")
    lines.append(f"  outputs: {', '.join(outputs) or '-'}")
    text = "\n".join(lines)
    if path is not None:
        figure = _figure_class("visualize_circuit")(figsize=(8, 4.5))
        ax = figure.add_subplot()
        info = TopologicalAnalyzer().analyze(design)
        nodes = list(dict.fromkeys(info["topological_order"]
                                   + [n for c in info["cycles"] for n in c]))
        columns: dict[int, list[str]] = {}
        for n in nodes:
            columns.setdefault(info["node_depth"][n], []).append(n)
        where = {n: (float(d), float(k)) for d, names in columns.items()
                 for k, n in enumerate(names)}
        for g in design.gates:
            for x in g.input_names:
                if x in where and g.output_name in where:
                    ax.annotate("", xy=where[g.output_name], xytext=where[x],
                                arrowprops={"arrowstyle": "->"})
        for n, (px, py) in where.items():
            ax.text(px, py, n, ha="center", va="center",
                    bbox={"boxstyle": "round", "facecolor": "white"})
        ax.set_xlim(-0.5, max(columns, default=0) + 0.5)
        ax.set_ylim(-0.5, max((len(v) for v in columns.values()), default=1) - 0.5)
        ax.set_xlabel("depth (gates from the inputs)")
        ax.set_yticks([])
        ax.set_title(f"{design.name}: {design.total_gates} gates")
        figure.savefig(os.fspath(path))
    return text


def visualize_kinetics(result: Mapping[str, Any], *,
                       path: str | os.PathLike[str] | None = None) -> str:
    """Render simulation traces: sparklines, and with ``path`` a matplotlib plot too.

    One line per trace (every key but ``"time"``): its name, a sparkline of at most 60
    samples (every ``ceil(n / 60)``-th, scaled to the trace's maximum) and its final value.

    Parameters
    ----------
    result : mapping of str to array
        A ``KineticSimulator.simulate`` result (``"time"`` plus 1-D traces of one length).
    path : str or PathLike, optional
        Where to save a plot of the traces against time.

    Returns
    -------
    str
        The sparkline chart.

    Raises
    ------
    TypeError, ValueError
        For a malformed result.
    ImportError
        If ``path`` is given and matplotlib is not installed (says so).
    """
    if not isinstance(result, Mapping) or "time" not in result:
        raise InputTypeError("result must be a mapping with a 'time' axis and traces, got "
                             f"{type(result).__name__}")
    time = as_real_array(result["time"], "result['time']", (1,))
    traces = {}
    for key, trace in result.items():
        if key == "time":
            continue
        arr = as_real_array(trace, f"result[{key!r}]", (1,))
        if arr.shape != time.shape or arr.size == 0:
            raise ValueError(f"result[{key!r}] must have the time axis' shape {time.shape}")
        traces[str(key)] = arr
    lines = []
    for key, arr in traces.items():
        top = float(np.max(arr))
        scale = top if top > 0.0 else 1.0
        stride = -(-arr.size // SPARK_WIDTH)
        levels = len(SPARK_LEVELS) - 1
        spark = "".join(SPARK_LEVELS[min(max(int(v / scale * levels), 0), levels)]
                        for v in arr[::stride].tolist())
        lines.append(f"  {key:>12}: {spark} [{float(arr[-1]):.1f} nM]")
    text = "\n".join(lines)
    if path is not None:
        figure = _figure_class("visualize_kinetics")(figsize=(8, 4.5))
        ax = figure.add_subplot()
        for key, arr in traces.items():
            ax.plot(time, arr, label=key)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("concentration (nM)")
        if traces:
            ax.legend()
        figure.savefig(os.fspath(path))
    return text
