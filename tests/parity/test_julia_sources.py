"""Syntax check of the Julia research mirror (julia/) without a Julia binary.

Julia cannot be installed on every machine that runs the test suite, so every
``.jl`` file under ``julia/`` is parsed with tree-sitter and its Julia grammar;
any ERROR or MISSING node in the tree fails the test with the file, line and
offending snippet.  A negative test proves the checker does catch a syntax
error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_julia

JULIA_DIR = Path(__file__).resolve().parents[2] / "julia"


def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_julia.language()))


def syntax_problems(source: bytes, name: str = "<source>") -> list[str]:
    """Return one message per ERROR or MISSING node of ``source``'s parse tree.

    Each message names the file, the 1-based line and column, and the text
    of the node's line.
    """
    tree = _parser().parse(source)
    lines = source.decode("utf-8", errors="replace").splitlines()
    problems: list[str] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            row, col = node.start_point
            kind = f"MISSING {node.type}" if node.is_missing else "ERROR"
            snippet = lines[row].strip() if row < len(lines) else ""
            problems.append(f"{name}:{row + 1}:{col + 1}: {kind} near {snippet!r}")
        elif node.has_error:
            # Only subtrees that contain an error are worth walking.
            stack.extend(reversed(node.children))
    return problems


def julia_files() -> list[Path]:
    return sorted(JULIA_DIR.rglob("*.jl"))


def test_julia_mirror_has_sources() -> None:
    names = {p.relative_to(JULIA_DIR).as_posix() for p in julia_files()}
    for required in ("src/SCKernels.jl", "harness.jl", "test/runtests.jl"):
        assert required in names, f"julia/{required} is missing"


@pytest.mark.parametrize("path", julia_files(), ids=lambda p: p.relative_to(JULIA_DIR).as_posix())
def test_julia_file_parses_cleanly(path: Path) -> None:
    source = path.read_bytes()
    assert source.strip(), f"{path} is empty"
    problems = syntax_problems(source, str(path.relative_to(JULIA_DIR.parent)))
    assert not problems, "Julia syntax errors:\n" + "\n".join(problems)


@pytest.mark.parametrize("broken, line", [
    (b"function f(x)\n    return x +\nend\n", 1),           # dangling operator
    (b"x = 1\nfunction g(a\n    a * 2\nend\n", 2),           # unclosed argument list
    (b"a = 1\nb = 2\n\nc = (3 +\nd = 4)]\n", 5),              # stray closing bracket
    (b"f(x) = x\n\ng(x) = x ) + 1\n", 3),                    # unbalanced parenthesis
    (b"struct S\n  x::Int\nend\n\nq = S(1\n", 5),            # call never closed
    (b"if true\n    println(1)\n", 1),                       # if without end
])
def test_checker_reports_syntax_errors(broken: bytes, line: int) -> None:
    problems = syntax_problems(broken, "broken.jl")
    assert problems, f"checker missed the error in {broken!r}"
    # The report names the file and the line where tree-sitter places the error.
    assert any(p.startswith(f"broken.jl:{line}:") for p in problems), problems


def test_checker_accepts_valid_snippet() -> None:
    valid = (b"module M\nstruct P{T}\n    x::Vector{T}\nend\n"
             b"f(p::P) = sum(count_ones, p.x; init = 0)\n"
             b"g(x::UInt64) = xor(x, x >>> 3) & UInt64(1)\nend\n")
    assert syntax_problems(valid) == []
