"""The user documentation stays true: its examples run, its links resolve.

* Every ```python block of ``docs/**/*.md`` runs. The blocks of one page run in
  order, in one fresh namespace, in a fresh interpreter (so a page that
  changes process-wide state, such as the Rust engine's thread count, cannot
  affect another page or the rest of the test session). A block preceded by
  ``<!-- skip-doctest -->`` is not run (only for blocks that need an MPI job or
  a GPU); one preceded by ``<!-- doctest-requires: mod1, mod2 -->`` runs only
  where those modules import (optional backends).
* Every relative link in ``docs/*.md`` and ``README.md`` points to an existing
  file, and a ``#fragment`` to an existing heading. Links from ``docs/`` must
  stay inside ``docs/``: mkdocs publishes nothing else.
* Every ``:::`` target of ``docs/api.md`` imports, and every public module of
  ``sc_neurocore.accel`` has one.
* ``mkdocs.yml``'s nav lists exactly the pages in ``docs/``, and every snippet
  include (``--8<-- "path"``) exists.
* The design lives in the repository (issue 13): every citation of it in any
  tracked file (``docs/design.md#section`` in comments, ``[design: x][section]``
  in docstrings, Markdown links) names a section of ``docs/design.md``, the
  sections' anchors are unique on the site, and no file points outside the
  repository (``../shared``) or cites the old "DESIGN §N".
* No count of tests or cases is written by hand in the docs (the site
  generates them), and the benchmark chart, drawn from a results file, keeps
  the ``numpy.sum`` line, every workload and its legends readable.

None of this needs mkdocs installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
API_PAGE = DOCS / "api.md"
ACCEL_DIR = REPO / "python" / "sc_neurocore" / "accel"

SKIP_MARKER = re.compile(r"^<!--\s*skip-doctest\s*-->$")
REQUIRES_MARKER = re.compile(r"^<!--\s*doctest-requires:\s*(.+?)\s*-->$")
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
SNIPPET = re.compile(r'^\s*-{1,}8<-{1,}\s+"([^"]+)"\s*$')
# Time for all the examples of one page (first JAX/Numba compilations included).
PAGE_TIMEOUT_S = 900


# --------------------------------------------------------------------------------------
# Markdown parsing (just enough of it)
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CodeBlock:
    """One fenced code block of a Markdown file."""

    path: Path
    line: int  # 1-based line of the first code line
    lang: str
    code: str
    skip: bool
    requires: tuple[str, ...]


def split_fences(text: str) -> tuple[list[tuple[int, str, str]], list[CodeBlock]]:
    """Separate a Markdown text into prose lines and fenced code blocks.

    Returns ``(prose, blocks)``: ``prose`` holds ``(line_number, line,
    previous_non_blank_prose_line)`` for every line outside a fence; ``blocks``
    the fenced blocks with their info string, dedented by the fence's
    indentation (fences may sit inside lists and admonitions), and the
    markers on the line just before each opening fence.
    """
    lines = text.splitlines()
    prose: list[tuple[int, str, str]] = []
    blocks: list[CodeBlock] = []
    previous = ""
    i = 0
    while i < len(lines):
        match = FENCE_OPEN.match(lines[i])
        if match is None:
            prose.append((i + 1, lines[i], previous))
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        fence, indent = match["fence"], match["indent"]
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j])
            j += 1
        requires = REQUIRES_MARKER.match(previous)
        blocks.append(CodeBlock(
            path=Path(), line=i + 2, lang=match["info"].lower(), code="\n".join(body) + "\n",
            skip=bool(SKIP_MARKER.match(previous)),
            requires=tuple(m.strip() for m in requires[1].split(",")) if requires else ()))
        previous = ""
        i = j + 1
    return prose, blocks


def code_blocks(path: Path) -> list[CodeBlock]:
    """The fenced code blocks of a Markdown file, with their source path."""
    _, blocks = split_fences(path.read_text(encoding="utf-8"))
    return [CodeBlock(path, b.line, b.lang, b.code, b.skip, b.requires) for b in blocks]


def python_blocks(path: Path) -> list[CodeBlock]:
    return [b for b in code_blocks(path) if b.lang in ("python", "py", "python3")]


def expand_snippets(path: Path) -> str:
    """The page's text with ``--8<-- "file"`` lines replaced by the file (repo-relative)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = SNIPPET.match(line)
        out.append((REPO / match[1]).read_text(encoding="utf-8") if match else line)
    return "\n".join(out)


def strip_code_spans(line: str) -> str:
    """A line without its inline code spans (links inside them are not links)."""
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", line)


def slugify(text: str) -> str:
    """Python-Markdown's default heading id (toc extension)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def heading_text(raw: str) -> str:
    """The visible text of a Markdown heading: code-span and link markup removed."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw)
    text = re.sub(r"(`+)(.+?)\1", r"\2", text)
    text = re.sub(r"[*_]{1,2}(\S.*?\S|\S)[*_]{1,2}", r"\1", text)
    return re.sub(r"\s+#+\s*$", "", text).strip()


def anchors(path: Path) -> set[str]:
    """Heading ids of a page (snippet includes expanded; duplicates get ``_1``, ``_2``...)."""
    prose, _ = split_fences(expand_snippets(path))
    ids: set[str] = set()
    for _, line, _ in prose:
        match = re.match(r"^#{1,6}\s+(.+?)\s*$", line)
        if not match:
            continue
        base = slugify(heading_text(match[1]))
        slug, n = base, 0
        while slug in ids:
            n += 1
            slug = f"{base}_{n}"
        ids.add(slug)
    return ids


LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def relative_links(path: Path) -> list[tuple[int, str]]:
    """``(line, target)`` of every relative link or image of a Markdown file."""
    prose, _ = split_fences(path.read_text(encoding="utf-8"))
    found = []
    for number, line, _ in prose:
        line = strip_code_spans(line)
        targets = [m[1] for m in LINK.finditer(line)]
        definition = REFERENCE_DEF.match(line)
        if definition:
            targets.append(definition[1])
        found += [(number, t) for t in targets if not URL_SCHEME.match(t) and not t.startswith("//")]
    return found


def api_targets() -> list[tuple[int, str]]:
    """``(line, identifier)`` of every ``::: identifier`` in docs/api.md."""
    prose, _ = split_fences(API_PAGE.read_text(encoding="utf-8"))
    return [(n, m[1]) for n, line, _ in prose if (m := re.match(r"^:::\s+(\S+)\s*$", line))]


def resolve(identifier: str) -> object:
    """Import ``a.b.c`` as a module, or as attribute(s) of the longest importable prefix."""
    parts = identifier.split(".")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional backends warn when they fall back
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            for name in parts[cut:]:
                obj = getattr(obj, name)
            return obj
    raise ImportError(f"no importable prefix in {identifier!r}")


# --------------------------------------------------------------------------------------
# The parser itself
# --------------------------------------------------------------------------------------

def test_split_fences_reads_markers_indentation_and_tildes() -> None:
    text = textwrap.dedent("""\
        Intro with `inline` code.

        <!-- skip-doctest -->
        ```python
        needs_mpi()
        ```

        <!-- doctest-requires: jax, sc_neurocore._engine -->

        ```python
        optional()
        ```

        !!! note
            ```bash
            export A=1
            ```

        ~~~py
        x = 1
          y = 2
        ~~~
        ```
        plain
        ```
        """)
    prose, blocks = split_fences(text)
    assert [(b.lang, b.skip, b.requires) for b in blocks] == [
        ("python", True, ()), ("python", False, ("jax", "sc_neurocore._engine")),
        ("bash", False, ()), ("py", False, ()), ("", False, ())]
    assert blocks[0].line == 5 and blocks[0].code == "needs_mpi()\n"
    assert blocks[2].code == "export A=1\n"  # dedented from inside the admonition
    assert blocks[3].code == "x = 1\n  y = 2\n"
    assert all("needs_mpi" not in line for _, line, _ in prose)


def test_link_and_anchor_helpers() -> None:
    line = 'See [a](x.md#part) and ![img](pic.png "t"), [web](https://e.org), `[no](code.md)`.'
    assert [t for m in LINK.finditer(strip_code_spans(line)) for t in [m[1]]] == [
        "x.md#part", "pic.png", "https://e.org"]
    assert slugify(heading_text("`auto`: which backend is chosen")) == \
        "auto-which-backend-is-chosen"
    assert slugify(heading_text("Harness protocol (runner ↔ mirror)")) == \
        "harness-protocol-runner-mirror"


# --------------------------------------------------------------------------------------
# The examples run
# --------------------------------------------------------------------------------------

# Runs in a fresh interpreter: executes one page's blocks in order in one
# namespace, with tracebacks pointing at the Markdown lines.
_DRIVER = r"""
import importlib.util, json, sys, traceback
blocks = json.load(open(sys.argv[1], encoding="utf-8"))
namespace = {"__name__": "__docs__"}
def missing(name):
    try:
        return importlib.util.find_spec(name) is None
    except (ImportError, ValueError):
        return True
for block in blocks:
    absent = [m for m in block["requires"] if missing(m)]
    if absent:
        print(f"-- skipped block at line {block['line']}: {', '.join(absent)} not installed")
        continue
    print(f"-- block at line {block['line']}", flush=True)
    code = compile("\n" * (block["line"] - 1) + block["code"], block["path"], "exec")
    try:
        exec(code, namespace)
    except BaseException:
        traceback.print_exc()
        print(f"FAILED: the block at {block['path']}:{block['line']}", file=sys.stderr)
        sys.exit(1)
"""


def _example_env() -> dict[str, str]:
    """The test's environment, with the package and the repository root importable."""
    spec = importlib.util.find_spec("sc_neurocore")
    assert spec is not None and spec.submodule_search_locations
    package_root = Path(list(spec.submodule_search_locations)[0]).parent
    paths = [str(package_root), str(REPO)]
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "MPLBACKEND": "Agg"}


PAGES_WITH_EXAMPLES = [p for p in PAGES if any(not b.skip for b in python_blocks(p))]


def test_docs_have_examples() -> None:
    blocks = [b for p in PAGES for b in python_blocks(p)]
    assert len(PAGES) >= 8, f"expected the documentation pages in {DOCS}, found {PAGES}"
    assert sum(not b.skip for b in blocks) >= 15, "the Python examples were not found"
    skipped = [f"{b.path.name}:{b.line}" for b in blocks if b.skip]
    assert len(skipped) <= 3, f"skip-doctest is for MPI/GPU-only blocks; skipped: {skipped}"


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_python_examples_run(page: Path, tmp_path: Path) -> None:
    blocks = [{"path": str(b.path), "line": b.line, "code": b.code, "requires": list(b.requires)}
              for b in python_blocks(page) if not b.skip]
    spec = tmp_path / "blocks.json"
    spec.write_text(json.dumps(blocks), encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", _DRIVER, str(spec)], cwd=tmp_path,
                         env=_example_env(), capture_output=True, text=True,
                         timeout=PAGE_TIMEOUT_S)
    assert run.returncode == 0, (
        f"an example in {page.relative_to(REPO)} failed\n--- stdout\n{run.stdout[-4000:]}"
        f"\n--- stderr\n{run.stderr[-6000:]}")


# --------------------------------------------------------------------------------------
# Links, anchors, API targets, nav
# --------------------------------------------------------------------------------------

LINKED_FILES = PAGES + [REPO / "README.md"] + [
    REPO / d / "README.md" for d in ("go", "julia", "mojo", "wgsl", "rust/mirror")]


@pytest.mark.parametrize("source", LINKED_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(source: Path) -> None:
    api_ids = {identifier for _, identifier in api_targets()} if API_PAGE.exists() else set()
    problems = []
    for line, target in relative_links(source):
        where = f"{source.relative_to(REPO)}:{line}: {target}"
        file_part, _, fragment = target.partition("#")
        dest = (source.parent / file_part).resolve() if file_part else source.resolve()
        if not dest.exists():
            problems.append(f"{where}: {dest} does not exist")
            continue
        if source.is_relative_to(DOCS) and not dest.is_relative_to(DOCS):
            problems.append(f"{where}: points outside docs/, which mkdocs does not publish "
                            "(link a docs page, or name the file as `code`)")
            continue
        if fragment and dest.suffix == ".md":
            known = anchors(dest)
            if dest == API_PAGE:
                known |= api_ids
                if any(fragment.startswith(i + ".") for i in api_ids):
                    try:
                        resolve(fragment)
                        continue
                    except (ImportError, AttributeError):
                        pass
            if fragment not in known:
                problems.append(f"{where}: no heading #{fragment} in {dest.name} "
                                f"(has: {', '.join(sorted(known))})")
    assert not problems, "\n".join(problems)


def test_api_targets_import() -> None:
    targets = api_targets()
    assert targets, "docs/api.md has no ::: blocks"
    failures = []
    for line, identifier in targets:
        try:
            resolve(identifier)
        except (ImportError, AttributeError) as exc:
            failures.append(f"docs/api.md:{line}: ::: {identifier}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)


def test_api_page_covers_every_public_module() -> None:
    documented = {identifier for _, identifier in api_targets()}
    modules = {f"sc_neurocore.accel.{p.stem}" for p in ACCEL_DIR.glob("*.py")
               if not p.name.startswith("_")}
    assert modules, f"no modules found in {ACCEL_DIR}"
    missing = sorted(modules - documented)
    assert not missing, f"docs/api.md lacks ::: blocks for {missing}"
    assert "sc_neurocore.accel" in documented


def _nav_pages() -> list[str]:
    """The ``*.md`` targets of mkdocs.yml's nav (read without a YAML library)."""
    lines = (REPO / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    start = lines.index("nav:")
    pages = []
    for line in lines[start + 1:]:
        if line and not line.startswith((" ", "#")):
            break
        match = re.match(r"^\s*-\s*(?:[^:]+:\s*)?([\w./-]+\.md)\s*$", line)
        if match:
            pages.append(match[1])
    return pages


def test_mkdocs_nav_lists_every_page() -> None:
    nav = _nav_pages()
    assert len(nav) == len(set(nav)), f"duplicate nav entries: {nav}"
    pages = sorted(p.relative_to(DOCS).as_posix() for p in PAGES)
    assert sorted(nav) == pages, f"mkdocs.yml nav {sorted(nav)} differs from docs/ {pages}"


def test_snippet_includes_exist() -> None:
    includes = [(page, match[1]) for page in PAGES
                for line in page.read_text(encoding="utf-8").splitlines()
                if (match := SNIPPET.match(line))]
    assert includes, "expected docs/parity-format.md to include parity/FORMAT.md"
    missing = [f"{page.name}: {target}" for page, target in includes
               if not (REPO / target).is_file()]
    assert not missing, f"snippet includes of missing files: {missing}"



# --------------------------------------------------------------------------------------
# The design document is ours, and everything cites it by section
# --------------------------------------------------------------------------------------

DESIGN_PAGE = DOCS / "design.md"
DESIGN_CITATION = re.compile(r"docs/design\.md#([\w-]+)")
DESIGN_AUTOREF = re.compile(r"\[design:[^\]]*\]\[([\w-]+)\]")


def tracked_text_files() -> list[Path]:
    """Every tracked file of the repository that reads as UTF-8 text."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                            check=True).stdout.decode().split("\0")
    files = []
    for name in filter(None, listed):
        path = REPO / name
        try:
            path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue
        files.append(path)
    return files


def test_design_page_has_the_contract_sections() -> None:
    ids = anchors(DESIGN_PAGE)
    assert {"tiers", "layout", "encoder", "packing", "forward-pass", "vector-operations",
            "spike-order", "selector", "errors", "threading", "golden-protocol",
            "measurement"} <= ids
    others = {page.name: anchors(page) & ids for page in PAGES if page != DESIGN_PAGE}
    clashes = {name: sorted(shared) for name, shared in others.items() if shared}
    # docstrings link sections by anchor alone ([design: x][anchor]): it must be unambiguous
    assert not clashes, f"design.md's anchors also exist on other pages: {clashes}"


def test_every_design_citation_names_a_section() -> None:
    ids = anchors(DESIGN_PAGE)
    cited, problems = 0, []
    for path in tracked_text_files():
        if path == Path(__file__).resolve():  # its docstrings show the forms, not citations
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (DESIGN_CITATION, DESIGN_AUTOREF):
            for match in pattern.finditer(text):
                cited += 1
                if match[1] not in ids:
                    line = text.count("\n", 0, match.start()) + 1
                    problems.append(f"{path.relative_to(REPO)}:{line}: #{match[1]}")
    assert cited >= 100, f"only {cited} citations of docs/design.md found"
    assert not problems, "citations of missing design sections:\n" + "\n".join(problems)


def test_nothing_points_outside_the_repository() -> None:
    outside = re.compile(r"\.\./shared\b|/work/shared|shared/DESIGN|DESIGN(?:\.md)?\s*§")
    found = []
    for path in tracked_text_files():
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if outside.search(line):
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:100]}")
    assert not found, "references outside the repository:\n" + "\n".join(found)


HAND_COUNT = re.compile(
    r"\b\d+ (?:more )?(?:lib |unit |golden |integration |Python |Rust )?tests?\b"
    r"|\b\d+ (?:valid |invalid |golden )?cases\b|\b\d+ \(\d+ \+ \d+(?: golden)?\)"
    r"|\b(?:ten|eleven|twelve) kernels\b")


def test_no_count_of_tests_or_cases_is_written_by_hand() -> None:
    found = []
    for path in PAGES + [REPO / "README.md"]:
        prose, _ = split_fences(path.read_text(encoding="utf-8"))
        found += [f"{path.relative_to(REPO)}:{n}: {line.strip()}" for n, line, _ in prose
                  if HAND_COUNT.search(strip_code_spans(line))]
    assert not found, ("counts that go stale (generate them in docs/hooks/generated.py, or "
                       "drop them):\n" + "\n".join(found))
    assert HAND_COUNT.search("the reader has 14 more lib tests")
    assert HAND_COUNT.search("| 72 (69 + 3 golden) |")


# --------------------------------------------------------------------------------------
# The benchmark chart
# --------------------------------------------------------------------------------------

COMMITTED_STUDIES = sorted((REPO / "benchmarks" / "results").glob("bench-*.json"))


def _committed_study() -> tuple[object, dict[str, object]]:
    """The first committed study (the chart-variant tests start from it)."""
    from sc_neurocore.accel.bench.report import read_results

    assert COMMITTED_STUDIES, "no committed timing study in benchmarks/results"
    return read_results(COMMITTED_STUDIES[0])


def _check_chart(study: object) -> None:
    """The rules of the chart, on the figure ``write_chart`` would save."""
    from sc_neurocore.accel.bench.report import chart_figure

    fig = chart_figure(study)
    try:
        bars, medians = fig.axes[0], fig.axes[1]
        assert bars.get_yscale() == "log"
        low, high = bars.get_ylim()
        assert low < 1.0 < high and high / 1.0 > 1.2 and 1.0 / low > 1.2  # numpy.sum in view
        heights = [p.get_height() for p in bars.patches if p.get_height() > 0]
        assert heights and all(low <= h <= high for h in heights)  # every bar in range
        fig.canvas.draw()
        labels = [t.get_text() for t in bars.get_xticklabels()]
        for work in study.workloads:
            shape = f"{work.n_out}x{work.n_in}x{work.length}"
            assert any(label.startswith(work.name) and shape in label for label in labels)
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            legend = ax.get_legend()
            if legend is not None:  # legends sit outside every data area
                box = legend.get_window_extent(renderer)
                for other in (bars, fig.axes[-1]):
                    assert not box.overlaps(other.get_window_extent(renderer))
        cells = {c.get_text().get_text() for c in medians.tables[0].get_celld().values()}
        for row in study.rows:
            assert f"{row.median_s * 1e3:.3f}" in cells  # absolute medians beside the bars
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


@pytest.mark.parametrize("path", COMMITTED_STUDIES, ids=lambda p: p.stem)
def test_chart_of_every_committed_study(path) -> None:
    pytest.importorskip("matplotlib")
    from sc_neurocore.accel.bench.report import read_results

    study, _ = read_results(path)
    _check_chart(study)


def test_chart_draws_the_generator_panel() -> None:
    pytest.importorskip("matplotlib")
    import copy

    from sc_neurocore.accel.bench.accuracy import generator_study
    from sc_neurocore.accel.bench.report import chart_figure

    study, _ = _committed_study()
    with_generators = copy.deepcopy(study)
    gen = generator_study(4, 6, (64, 128, 256), ("numpy",), repeats=1)
    with_generators.accuracy = {**study.accuracy, "generators": gen}
    _check_chart(with_generators)
    fig = chart_figure(with_generators)
    try:
        [panel] = [ax for ax in fig.axes if "stream generators" in ax.get_title()]
        assert len(panel.get_lines()) == len(gen["generators"]) + 1  # + the independent line
        [times] = [ax for ax in panel.get_shared_x_axes().get_siblings(panel) if ax is not panel]
        assert times.get_ylabel() == "time per call (ms)"
        # numpy's time per call, prepared and packed, for every generator
        assert len(times.get_lines()) == 2 * len(gen["generators"])
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_chart_keeps_numpy_sum_in_view_whatever_the_data() -> None:
    pytest.importorskip("matplotlib")
    import copy

    for scale in (1e-3, 1e3):  # every bar far below, then far above numpy.sum
        study, _ = _committed_study()
        scaled = copy.deepcopy(study)
        for row in scaled.rows:
            row.vs_sum_bandwidth *= scale
        for c in scaled.contended:
            c.contended_median_s /= scale
        _check_chart(scaled)


def test_chart_with_a_prepared_layers_panel() -> None:
    pytest.importorskip("matplotlib")
    study, _ = _committed_study()
    sweep = [{"workload": w, "n_out": n_out, "n_in": n_in, "length": length,
              "prepared_s": 1e-4 * length / 64, "packed_s": 3e-4 * length / 64 if length <= 4096
              else float("nan"), "ratio": 3.0, "packed_bytes": 0, "prepared_bytes": 0,
              "bit_identical": True}
             for w, n_out, n_in in (("W1", 128, 784), ("W2", 1024, 1024))
             for length in (64, 1024, 16384, 65536)]
    study.prepared = {"backend": "rust", "packed_budget": 2 << 30, "targets": {},
                      "sweep": sweep, "workloads": [], "scale": None}
    _check_chart(study)
