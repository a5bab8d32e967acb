"""``TopologicalAnalyzer``: depth, fan-out and feedback of a circuit's signal graph.

Nodes are signals, in order of first appearance (each gate's inputs, then its output, in
gate order); every gate adds an edge from each input to its output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .types import DNACircuitDesign, DNAGate, check_design

__all__ = ["TopologicalAnalyzer", "signal_graph", "kahn_order", "strongly_connected"]


def signal_graph(gates: Sequence[DNAGate]) -> tuple[list[str], dict[str, list[str]]]:
    """(nodes in first-appearance order, node -> successors in gate order)."""
    nodes: list[str] = []
    succ: dict[str, list[str]] = {}
    for gate in gates:
        for signal in [*gate.input_names, gate.output_name]:
            if signal not in succ:
                nodes.append(signal)
                succ[signal] = []
        for signal in gate.input_names:
            succ[signal].append(gate.output_name)
    return nodes, succ


def kahn_order(nodes: list[str], succ: dict[str, list[str]]) -> list[str]:
    """Kahn's topological order: the sources in node order, then each node once all its
    predecessors are out (first in, first out); nodes on or after a loop are left out."""
    indegree = {n: 0 for n in nodes}
    for n in nodes:
        for m in succ[n]:
            indegree[m] += 1
    queue = [n for n in nodes if indegree[n] == 0]
    order: list[str] = []
    while queue:
        node = queue.pop(0)
        order.append(node)
        for m in succ[node]:
            indegree[m] -= 1
            if indegree[m] == 0:
                queue.append(m)
    return order


def strongly_connected(nodes: list[str], succ: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (the feedback loops), each
    listed in node order, ordered by their first node (Tarjan's algorithm, iterative)."""
    order = {n: k for k, n in enumerate(nodes)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, pos = work.pop()
            if pos == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            nexts = succ[node]
            if pos < len(nexts):
                work.append((node, pos + 1))
                child = nexts[pos]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                members = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    members.append(top)
                    if top == node:
                        break
                if len(members) > 1:
                    found.append(sorted(members, key=order.__getitem__))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return sorted(found, key=lambda comp: order[comp[0]])


class TopologicalAnalyzer:
    """Topology of a circuit: order, depth, critical path, fan-out, feedback loops."""

    def analyze(self, design: DNACircuitDesign) -> dict[str, Any]:
        """Analyse the signal graph of a design.

        Kahn's algorithm orders the nodes (ready nodes first-in first-out, starting from the
        sources in node order). ``depth`` is the longest path (in gates) over the ordered
        nodes; nodes on or after a loop are left out of the order and keep depth 0.

        Parameters
        ----------
        design : DNACircuitDesign
            The design whose gates make the graph (signals are nodes, gates edges).

        Returns
        -------
        dict
            ``depth`` (int), ``fan_out`` (signal -> number of gate inputs it feeds, in node
            order), ``has_feedback``, ``cycles`` (each loop's signals), ``topological_order``,
            ``critical_path`` (the longest path, source first; the first deepest node,
            reached through the first predecessor one level up), ``n_nodes`` and
            ``node_depth`` (signal -> its depth).

        Raises
        ------
        TypeError
            If ``design`` is not a ``DNACircuitDesign``.
        """
        check_design(design)
        nodes, succ = signal_graph(design.gates)
        topo = kahn_order(nodes, succ)
        depth = {n: 0 for n in nodes}
        for node in topo:
            for m in succ[node]:
                depth[m] = max(depth[m], depth[node] + 1)
        ordered = set(topo)
        path: list[str] = []
        if topo:
            deepest = max(depth[n] for n in topo)
            node = next(n for n in topo if depth[n] == deepest)
            path = [node]
            while depth[node] > 0:
                preds = [x for g in design.gates if g.output_name == node
                         for x in g.input_names]
                node = next(p for p in preds if p in ordered and depth[p] == depth[node] - 1)
                path.append(node)
            path.reverse()
        fan_out: dict[str, int] = {}
        for n in nodes:
            count = sum(g.input_names.count(n) for g in design.gates)
            if count:
                fan_out[n] = count
        return {"depth": max(depth.values(), default=0), "fan_out": fan_out,
                "has_feedback": len(topo) < len(nodes),
                "cycles": strongly_connected(nodes, succ), "topological_order": topo,
                "critical_path": path, "n_nodes": len(nodes), "node_depth": depth}
