"""The built API reference shows the contract (issue 8): checked on the HTML itself.

The site is built once with ``mkdocs build --strict`` into a temporary folder
(strict: an unresolved cross-reference, a documented parameter the signature
lacks or one without a type fails the build).  Then, on the HTML of the API
page:

* only the public surface is documented: every object is exported by its
  module (``__all__``), nothing private, and every export of a fully rendered
  module is there;
* every public module of the package is either on the page or named below as
  not API, with the reason (so a new module cannot slip in or out unnoticed);
* no Sphinx role is rendered literally (on any page);
* every parameter has an entry of its own, with its own type, and the entries
  are exactly the signature's parameters;
* signatures sit in their own block, formatted to the configured width;
* cross-references are links to objects on the page.

And on the whole built site (issue 13):

* signatures show the types a caller should pass: no parameter or return
  annotated ``object``, no private alias or private base class, no name of a
  private object of the package anywhere on the page, no type that reads
  "X or X";
* docstring section headings render whole, and no raw ``[...][...]`` Markdown
  reaches an HTML attribute;
* code blocks and signatures wrap instead of hiding their ends (the CSS rules
  are linked from every page; with Chromium installed, a headless browser at
  1400 px also measures that no code block or signature overflows and that
  wide tables scroll);
* the site works opened from disk: pages are ``page.html`` files and every
  local link, image, stylesheet and script points to a file of the site;
* every "DESIGN" section the docstrings cite is a link to design.html;
* the benchmarks page shows the committed results (tables and chart) as the
  committed JSON holds them, and the safety-mirror counts are the sources'.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import inspect
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason="the docs extra is not installed (make install adds it)")
pytest.importorskip("mkdocstrings_handlers.python")

REPO = Path(__file__).resolve().parents[2]
LINE_LENGTH = 88  # mkdocs.yml: line_length
# Modules whose api.md entry renders a chosen subset of __all__, and why.
PARTIAL = {
    "sc_neurocore.accel": "re-exports: each name is documented in the module that defines it",
    "sc_neurocore.accel.mpi_driver": "HAS_MPI is computed on first access (reading it imports "
                                     "MPI), so it cannot be rendered without starting MPI",
}
# Public modules (no part starting with "_") that are not on the API page, and why.
_STUDY_PART = "a part of the timing study; its entry points are sc_neurocore.accel.bench's exports"
NOT_API = {
    "sc_neurocore": "the top-level namespace (its __version__ only)",
    "sc_neurocore.studio": "a namespace package: its module studio.analysis is documented",
    "sc_neurocore.bridges": "a namespace package: its module bridges.dna_mapper is documented",
    "sc_neurocore.scpn": "a namespace package: its layers are documented",
    "sc_neurocore.scpn.layers": "a namespace package: its module l7_symbolic is documented",
    "sc_neurocore.world_model": "re-exports predictive_model, which is documented",
    **{f"sc_neurocore.accel.bench.{name}": _STUDY_PART
       for name in ("study", "workloads", "timing", "contention", "reference_numpy", "accuracy",
                    "prepared_layers", "numba_extras", "jax_extras", "lgssm_extras", "mpi_bench",
                    "report", "results", "first_calls")},
}
# Private helpers the API page once listed as API, and the timing study's internal helpers.
PRIVATE = ["check_positive", "check_finite_scalar", "validate_lif_step", "validate_forward_pass",
           "lfsr_next", "lfsr_tables", "start_states", "quantize", "encode_bits",
           "bench_extras", "forward_numpy", "counts_to_rates", "forward_counts_numpy",
           "KernelBackend", "TRACE_COUNTS", "INSTALL_HINT", "engine_info", "backend_class",
           "median_of", "results_stem", "encode_weights", "error_stats", "rmse_per_doubling",
           "measure_accuracy", "accuracy_study", "cpu_hogs", "bench_job", "parse_bench_output",
           "bench_mpi", "run_mpi_study", "reference_numpy_sc_forward", "EXTRA_PROVIDERS",
           "PARALLEL_BACKENDS", "first_calls_study", "time_first_calls", "child_main"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                          str(out)], cwd=REPO, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, f"mkdocs build --strict failed:\n{run.stderr[-6000:]}"
    return out


@pytest.fixture(scope="module")
def api_html(site: Path) -> str:
    """The API reference: the API page and the safety surfaces' own pages (docs/safety/)."""
    pages = [site / "api.html", *sorted((site / "safety").glob("*.html"))]
    return "".join(page.read_text(encoding="utf-8") for page in pages)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


HEADING = re.compile(r'<h[1-6] id="(sc_neurocore[^"]*)"')


def sections(page: str) -> dict[str, str]:
    """Object id -> its HTML, up to the next object heading."""
    marks = [(m.start(), m[1]) for m in HEADING.finditer(page)]
    return {ident: page[start:(marks[k + 1][0] if k + 1 < len(marks) else len(page))]
            for k, (start, ident) in enumerate(marks)}


def resolve(ident: str) -> tuple[object, object]:
    """``(owner, obj)`` for a documented id: the module or class it belongs to, and it."""
    parts = ident.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        owner = obj
        for name in parts[cut:]:
            owner, obj = obj, getattr(obj, name)
        return owner, obj
    raise ImportError(ident)


def parameter_rows(section: str, title: str = "Parameters") -> list[tuple[str, str]]:
    """``(name, type)`` of each row of the section's own Parameters (or other) table."""
    match = re.search(rf'doc-section-title">{title}:</span></p>\s*<table>(.*?)</table>',
                      section, re.S)
    if match is None:
        return []
    rows = re.findall(r'<tr class="doc-section-item">(.*?)</tr>', match[1], re.S)
    out = []
    for row in rows:
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        out.append((text_of(cells[0]).strip(), text_of(cells[1]).strip()))
    return out


# ------------------------------------------------------------------------- the surface

def test_only_the_public_surface_is_documented(api_html: str) -> None:
    ids = list(sections(api_html))
    assert "sc_neurocore.accel.backend.sc_forward" in ids
    modules = {i for i in ids if getattr(resolve(i)[1], "__name__", None) == i}
    problems = []
    for ident in ids:
        tail = ident.split(".")[2:]
        if any(part.startswith("_") for part in tail):
            problems.append(f"{ident}: private")
        owner, _ = resolve(ident)
        if ident not in modules and isinstance(owner, type(sys)):
            exported = getattr(owner, "__all__", None)
            if exported is None or ident.rsplit(".", 1)[1] not in exported:
                problems.append(f"{ident}: not in {owner.__name__}.__all__")
    for name in PRIVATE:
        if re.search(rf'id="sc_neurocore[^"]*\.{name}"', api_html):
            problems.append(f"{name}: a private helper is documented")
    for module_name in sorted(modules - set(PARTIAL)):
        module = importlib.import_module(module_name)
        missing = [n for n in module.__all__ if f"{module_name}.{n}" not in ids]
        if missing:
            problems.append(f"{module_name}: exports {missing} but the page lacks them")
    assert not problems, "\n".join(problems)


def public_modules() -> list[str]:
    """Every importable module of the package with no part starting with ``_``."""
    import sc_neurocore

    names = ["sc_neurocore"]
    for info in pkgutil.walk_packages(sc_neurocore.__path__, "sc_neurocore."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def test_every_public_module_is_documented_or_named_as_not_api(api_html: str) -> None:
    ids = set(sections(api_html))
    modules = public_modules()
    assert "sc_neurocore.accel.bench.study" in modules  # the walk reaches subpackages
    problems = []
    for name in modules:
        on_page = name in ids
        if on_page and name in NOT_API:
            problems.append(f"{name}: documented, but NOT_API says: {NOT_API[name]}")
        elif not on_page and name not in NOT_API:
            problems.append(f"{name}: public module neither on the API page nor in NOT_API")
    for ident in sorted(ids - set(modules)):  # an object's module: its id's longest module prefix
        owner = max((m for m in modules if ident.startswith(f"{m}.")), key=len, default=None)
        if owner in NOT_API:
            problems.append(f"{ident}: documented, but {owner} is not API: {NOT_API[owner]}")
    problems += [f"{name}: in NOT_API but no such public module" for name in NOT_API
                 if name not in modules]
    problems += [f"{name}: in PARTIAL but not on the page" for name in PARTIAL if name not in ids]
    assert not problems, "\n".join(problems)


def test_the_timing_study_shows_its_entry_points_only(api_html: str) -> None:
    from sc_neurocore.accel import bench

    ids = set(sections(api_html))
    top_level = {i for i in ids if i.startswith("sc_neurocore.accel.bench.")
                 and i.count(".") == 3}  # bench.<name>, not bench.<name>.<member>
    assert top_level == {f"sc_neurocore.accel.bench.{name}" for name in bench.__all__}
    assert "sc_neurocore.accel.bench.run_study" in top_level


def test_no_sphinx_role_is_rendered_literally(site: Path) -> None:
    role = re.compile(r":(?:func|class|mod|meth|data|attr|obj|exc|ref):`?")
    found = []
    for page in sorted(site.rglob("*.html")):
        text = text_of(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(site)}: ...{text[max(0, m.start() - 40):m.end() + 40]}..."
                  for m in role.finditer(text)]
    assert not found, "\n".join(found)


# ---------------------------------------------------------------------------- parameters

def test_every_parameter_has_its_own_typed_entry(api_html: str) -> None:
    problems = []
    checked = 0
    for ident, section in sections(api_html).items():
        owner, obj = resolve(ident)
        if inspect.isclass(obj):
            target = obj.__init__ if "__init__" in vars(obj) else None
        elif (callable(obj) and not isinstance(obj, type(sys))
              and typing.get_origin(obj) is None):  # a type alias has no signature of its own
            target = obj
        else:
            continue
        if target is None:
            continue
        params = [p for p in inspect.signature(target).parameters.values()
                  if p.name not in ("self", "cls")]
        own = section.split('<div class="doc doc-children">')[0]
        rows = parameter_rows(own)
        if not params:
            continue
        checked += 1
        if not rows and inspect.isclass(obj):  # a class whose fields are its parameters
            rows = parameter_rows(own, "Attributes")
        names = [name for name, _ in rows]
        # NumPy style writes ``*args`` / ``**kwargs`` with their stars
        stars = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
        expected = [stars.get(p.kind, "") + p.name for p in params]
        if names != expected:
            problems.append(f"{ident}: entries {names}, signature {expected}")
        problems += [f"{ident}: {name} has no type" for name, kind in rows if not kind]
        problems += [f"{ident}: {name!r} groups parameters" for name in names if "," in name]
    assert checked >= 40, f"only {checked} documented callables with parameters found"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("ident, expected", [
    ("sc_neurocore.accel.sc_inference.sc_forward_numpy",
     {"length": "int", "seed": "int", "input_probs": "array_like"}),
    ("sc_neurocore.accel.backend.sc_forward",
     {"length": "int", "seed": "int", "backend": "str or Backend"}),
    ("sc_neurocore.accel.lif.lif_step",
     {"v_rest": "float", "v_reset": "float", "v_threshold": "float", "noise": "array_like"}),
    ("sc_neurocore.accel.jax_backend.jax_lif_step",
     {"v_rest": "float", "v_reset": "float", "v_threshold": "float", "alpha": "float"}),
    ("sc_neurocore.accel.jax_backend.jax_surrogate_gradient_step",
     {"n_steps": "int", "lr": "float", "beta": "float", "surrogate_path": "str"}),
    ("sc_neurocore.accel.mpi_driver.mpi_sc_forward_sharded",
     {"length": "int", "seed": "int", "driver": "MPIDriver"}),
    ("sc_neurocore.accel.vector_ops.vec_mux",
     {"sel": "ndarray", "a": "ndarray", "b": "ndarray"}),
])
def test_parameters_carry_their_own_types(api_html: str, ident: str,
                                          expected: dict[str, str]) -> None:
    rows = dict(parameter_rows(sections(api_html)[ident]))
    assert {name: rows.get(name) for name in expected} == expected


# ---------------------------------------------------------------------------- signatures

def test_signatures_are_separate_and_formatted(api_html: str) -> None:
    blocks = re.findall(r'<div class="doc-signature highlight"><pre>(.*?)</pre></div>', api_html,
                        re.S)
    assert len(blocks) >= 40
    too_long = []
    multi_line = 0
    for block in blocks:
        lines = text_of(block).strip("\n").splitlines()
        multi_line += len(lines) > 1
        too_long += [line for line in lines if len(line) > LINE_LENGTH]
    assert not too_long, "signature lines wider than the page:\n" + "\n".join(too_long)
    assert multi_line >= 10  # long signatures are wrapped, one parameter group per line
    step = text_of(sections(api_html)[
        "sc_neurocore.accel.jax_backend.jax_surrogate_gradient_step"])
    assert "jax_surrogate_gradient_step(\n" in step


# ---------------------------------------------------------------------- cross-references

def test_cross_references_are_links(api_html: str) -> None:
    text = text_of(api_html)
    assert "][sc_neurocore." not in text  # no unresolved autorefs left as text
    ids = set(sections(api_html))
    links = set(re.findall(r'class="autorefs autorefs-internal"[^>]*href="#([^"]+)"', api_html))
    assert {"sc_neurocore.accel.InputTypeError", "sc_neurocore.accel.backend.sc_forward",
            "sc_neurocore.accel.sc_inference.sc_forward_numpy",
            "sc_neurocore.accel.backend.Backend"} <= links
    assert links <= ids, f"links to objects not on the page: {sorted(links - ids)}"
    # the reference the issue found rendered literally now links
    forward = sections(api_html)["sc_neurocore.accel.backend.Backend.sc_forward"]
    assert 'href="#sc_neurocore.accel.sc_inference.sc_forward_numpy"' in forward



# ------------------------------------------------------------------ issue 13: the reference

def signature_texts(page: str) -> list[str]:
    return [text_of(b) for b in re.findall(
        r'<div class="doc-signature highlight"><pre>(.*?)</pre></div>', page, re.S)]


OBJECT_PARAMETER = re.compile(r"(?:^|[(,])\s*\**\w+: object\s*(?:[,)=]|$)|-> object\s*$", re.M)


def test_signatures_never_say_object(api_html: str) -> None:
    found = [line.strip() for sig in signature_texts(api_html) for line in sig.splitlines()
             if OBJECT_PARAMETER.search(line)]
    assert not found, "parameters or returns annotated `object`:\n" + "\n".join(found)
    assert OBJECT_PARAMETER.search("f(a: int, b: object = None)")  # the pattern itself works
    assert not OBJECT_PARAMETER.search("g(c: Mapping[str, object]) -> dict[str, object]")


@pytest.mark.parametrize("ident, expected", [
    ("sc_neurocore.accel.mpi_driver.mpi_sc_forward", ["length: int", "seed: int = DEFAULT_SEED"]),
    ("sc_neurocore.accel.gpu_backend.gpu_vec_and", ["a: GpuArray", "-> GpuArray"]),
    ("sc_neurocore.accel.jax_backend.jax_vec_and", ["a: ArrayLike", "-> JaxArray"]),
    ("sc_neurocore.accel.jax_backend.jax_forward_pass", ["-> tuple[list[JaxArray], JaxArray]"]),
    ("sc_neurocore.world_model.predictive_model.PredictiveWorldModel.forecast",
     ["initial_state: ArrayLike", "actions: Iterable[ArrayLike]", "-> list[NDArray[float64]]"]),
    ("sc_neurocore.scpn.layers.l7_symbolic.drive_symbols",
     ["symbol_activations: ArrayLike", "-> NDArray[float64]"]),
    ("sc_neurocore.bridges.dna_mapper.SequenceDesigner", ["max_tries: int = 200"]),
])
def test_signatures_show_public_types(api_html: str, ident: str, expected: list[str]) -> None:
    own = sections(api_html)[ident].split('<div class="doc doc-children">')[0]
    signature = " ".join(signature_texts(own)[0].split())
    for part in expected:
        assert part in signature, f"{ident}: {part!r} not in {signature!r}"


PRIVATE_TYPE_NAMES = ["Float", "F64", "FloatArray", "IntArray", "KernelBackend", "Progress"]


def _is_private(title: str, ids: set[str]) -> bool:
    """Whether a reference the page could not link names a private object of the package."""
    try:
        owner, obj = resolve(title)
    except (ImportError, AttributeError):
        return False  # through an optional module that is absent here (cupy, jax): external
    name = title.rsplit(".", 1)[1]
    if isinstance(owner, type(sys)):
        if not owner.__name__.startswith("sc_neurocore"):
            return False
        return name.startswith("_") or name not in getattr(owner, "__all__", [name])
    if inspect.isclass(owner) and owner.__module__.startswith("sc_neurocore"):
        return title.rsplit(".", 1)[0] not in ids  # a member of an undocumented class
    return False


def test_no_private_name_is_shown(api_html: str) -> None:
    ids = set(sections(api_html))
    unlinked = set(re.findall(r'<span title="(sc_neurocore\.[^"]+)">', api_html))
    problems = sorted(t for t in unlinked if _is_private(t, ids))
    visible = "\n".join(signature_texts(api_html))
    bases = " ".join(text_of(b) for b in re.findall(r'<p class="doc doc-class-bases">(.*?)</p>',
                                                   api_html, re.S))
    types = " ".join(kind for ident in ids for _, kind in
                     parameter_rows(sections(api_html)[ident].split(
                         '<div class="doc doc-children">')[0]))
    for name in PRIVATE_TYPE_NAMES:
        for where, text in (("a signature", visible), ("a base list", bases),
                            ("a type column", types)):
            if re.search(rf"\b{name}\b", text):
                problems.append(f"{name} in {where}")
    assert "Bases: Backend" in " ".join(bases.split())  # the shipped backends' public base
    assert not problems, "private names on the API page:\n" + "\n".join(problems)


def _type_cells(page: str) -> list[str]:
    """The type column of every Parameters / Returns / Raises / Attributes table."""
    cells = []
    for table in re.findall(r'doc-section-title">\w+:</span></p>\s*<table>(.*?)</table>', page,
                            re.S):
        header = [text_of(h).strip() for h in re.findall(r"<th>(.*?)</th>", table, re.S)]
        if "Type" not in header:
            continue
        column = header.index("Type")
        for row in re.findall(r'<tr class="doc-section-item">(.*?)</tr>', table, re.S):
            tds = re.findall(r"<td>(.*?)</td>", row, re.S)
            if len(tds) > column:
                cells.append(" ".join(text_of(tds[column]).split()))
    return cells


def test_no_type_reads_x_or_x(api_html: str) -> None:
    cells = _type_cells(api_html)
    assert len(cells) > 300  # the tables were found
    doubled = sorted({c for c in cells if re.search(r"\b([\w.]+) or \1\b", c)})
    assert not doubled, f"types that read 'X or X': {doubled}"


def test_docstring_headings_render_whole(api_html: str) -> None:
    leaks = sorted(set(re.findall(r'\s[\w-]+="[^"]*(?:\]\[|\[`)[^"]*"', api_html)))
    assert not leaks, "raw Markdown in HTML attributes:\n" + "\n".join(leaks[:10])
    section = sections(api_html)["sc_neurocore.scpn.layers.l7_symbolic"].split(
        '<div class="doc doc-children">')[0]
    summaries = [" ".join(text_of(x).split())
                 for x in re.findall(r"<summary>(.*?)</summary>", section, re.S)]
    assert "Metrics" in summaries and "One step" in summaries, summaries
    assert not any("[" in s or ")" in s for s in summaries), summaries


def test_design_references_are_links(site: Path, api_html: str) -> None:
    design = (site / "design.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<h2 id="([^"]+)"', design))
    links = re.findall(r'<a class="autorefs autorefs-internal"[^>]*href="design\.html#([^"]+)"',
                       api_html)
    assert len(links) >= 30, "the docstrings' design references are not links"
    assert set(links) <= anchors, f"links to missing sections: {set(links) - anchors}"
    assert not re.search(r"DESIGN\s*§", text_of(api_html))


# ------------------------------------------------------------------ layout: nothing clipped

CSS_RULES = [
    (r"\.md-typeset pre > code", r"white-space:\s*pre-wrap"),
    (r"\.doc-signature pre > code", r"white-space:\s*pre-wrap"),
    (r"\.md-typeset__scrollwrap", r"overflow-x:\s*auto"),
]


def test_code_and_signatures_wrap(site: Path) -> None:
    css = re.sub(r"/\*.*?\*/", "", (site / "extra.css").read_text(encoding="utf-8"), flags=re.S)
    rules = {sel.strip(): body for sels, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)
             for sel in sels.split(",")}
    for selector, declaration in CSS_RULES:
        bodies = [body for sel, body in rules.items() if re.fullmatch(selector, sel)]
        assert any(re.search(declaration, b) for b in bodies), f"{selector} lacks {declaration}"
    pages = sorted(p for p in site.glob("*.html") if p.name != "404.html")
    unlinked = [p.name for p in pages if 'href="extra.css"' not in p.read_text(encoding="utf-8")]
    assert not unlinked, f"pages without extra.css: {unlinked}"


_PROBE = """<script>window.addEventListener('load', function () {
  var out = [];
  document.querySelectorAll('.md-content pre > code, .md-content .doc-signature, '
                            + '.md-content table').forEach(function (el) {
    var box = el.tagName === 'TABLE' ? el.parentElement : el;
    var scrolls = ['auto', 'scroll'].indexOf(getComputedStyle(box).overflowX) >= 0;
    var over = box.scrollWidth - box.clientWidth;
    if (over > 1 && !(el.tagName === 'TABLE' && scrolls)) {
      out.push(el.tagName + ' +' + over + 'px: ' + el.textContent.slice(0, 70));
    }
  });
  var report = document.createElement('pre');
  report.id = 'overflow-report';
  report.textContent = JSON.stringify(out);
  document.body.appendChild(report);
});</script>"""


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _overflows(page: Path, with_css: bool = True) -> list[str]:
    """What a headless Chromium at 1400 px finds cut off on ``page``."""
    html_text = page.read_text(encoding="utf-8")
    if not with_css:
        html_text = html_text.replace('href="extra.css"', 'href="missing.css"')
    probe = page.with_name(f"_probe_{page.name}")
    probe.write_text(html_text.replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    try:
        run = subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                              "--window-size=1400,1000", "--virtual-time-budget=5000",
                              "--dump-dom", probe.as_uri()],
                             capture_output=True, text=True, timeout=300)
    finally:
        probe.unlink()
    match = re.search(r'<pre id="overflow-report">(.*?)</pre>', run.stdout, re.S)
    assert match, f"the probe did not run in Chromium:\n{run.stderr[-2000:]}"
    return list(json.loads(html.unescape(match[1])))


# `make test` installs Chromium (system-packages.txt) and sets
# SC_NEUROCORE_REQUIRE_CHROMIUM=1, so there a missing browser fails instead of skipping.
@pytest.mark.skipif(_chromium() is None and not os.environ.get("SC_NEUROCORE_REQUIRE_CHROMIUM"),
                    reason="Chromium is not installed (apt-get install chromium)")
def test_nothing_is_clipped_at_1400px(site: Path) -> None:
    assert _chromium() is not None, "Chromium is required here but not on PATH"
    assert _overflows(site / "api.html", with_css=False)  # the probe sees overflow at all
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if p.name != "404.html" and not p.name.startswith("_probe_"))
    assert {"index.html", "api.html", "benchmarks.html", "mpi.html"} <= set(pages)
    found = {name: _overflows(site / name) for name in pages}
    found = {name: items for name, items in found.items() if items}
    assert not found, "cut off at 1400 px:\n" + json.dumps(found, indent=1)


# ---------------------------------------------------------------- the site works from disk

LOCAL_REFERENCE = re.compile(r'(?:href|src)="([^"#?]*)(?:[#?][^"]*)?"')


def test_site_works_opened_from_disk(site: Path) -> None:
    assert (site / "api.html").is_file() and not (site / "api").exists()
    problems = []
    for page in sorted(site.glob("*.html")):
        if page.name == "404.html":  # served by a web server only, with absolute links
            continue
        for target in LOCAL_REFERENCE.findall(page.read_text(encoding="utf-8")):
            if not target or re.match(r"^[a-z][a-z0-9+.-]*:|^//", target, re.I):
                continue
            dest = (page.parent / target)
            if target.endswith("/") or not dest.is_file():
                problems.append(f"{page.name}: {target}")
    assert not problems, "links that do not open from disk:\n" + "\n".join(problems[:20])
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "site/index.html" in readme and "make docs" in readme


# ------------------------------------------------------------- generated figures and counts

def _committed_studies() -> list[Path]:
    return sorted((REPO / "benchmarks" / "results").glob("bench-*.json"))


def test_benchmarks_page_shows_the_committed_results(site: Path) -> None:
    from sc_neurocore.accel.bench.report import read_results

    page = (site / "benchmarks.html").read_text(encoding="utf-8")
    source = (REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert "<!-- generated: bench-results -->" in source
    assert not re.search(r"^W\d\s+\S+\s+\d+\.\d{3}", source, re.M), "a hand-copied table"
    studies = _committed_studies()
    assert studies, "no committed timing study"
    text = " ".join(text_of(page).split())
    for path in studies:
        study, data = read_results(path)
        chart = f"results/{path.with_suffix('.png').name}"
        assert f'src="{chart}"' in page and (site / chart).is_file()
        assert data["written"] in text
        for row in study.rows:  # every median of the main table, as the JSON holds it
            cells = f"{row.workload} {row.backend} {row.median_s * 1e3:.3f}"
            assert cells in text, f"{path.name}: no row '{cells}'"
        for c in study.contended:
            assert f"{c.contended_median_s * 1e3:.3f}" in text
        for f in study.first_calls:
            assert f"{f.default_median_s * 1e3:.3f} {f.one_thread_median_s * 1e3:.3f}" in text
    mpi = " ".join(text_of((site / "mpi.html").read_text(encoding="utf-8")).split())
    for path in studies:
        study, _ = read_results(path)
        for extra in (e for e in study.extras if e["name"].startswith("mpi ")):
            assert f"{extra['name']} {extra['median_s'] * 1e3:.3f}" in mpi


def test_committed_chart_is_drawn_from_the_committed_json(site: Path) -> None:
    pil = pytest.importorskip("PIL.Image")
    from sc_neurocore.accel.bench.report import chart_source

    for path in _committed_studies():
        data = json.loads(path.read_text(encoding="utf-8"))
        want = chart_source(path, data)
        for png in (path.with_suffix(".png"), site / "results" / path.with_suffix(".png").name):
            with pil.open(png) as image:
                assert image.text.get("Source") == want, f"{png} was not drawn from {path.name}"


def test_safety_mirror_counts_are_the_sources(site: Path) -> None:
    sys.path.insert(0, str(REPO))
    from parity.golden_format import read_golden

    source = (REPO / "docs" / "safety-mirrors.md").read_text(encoding="utf-8")
    assert "<!-- generated: safety-mirrors -->" in source
    assert not re.search(r"\d+ \(\d+ \+ \d+\)|\d+ more\b|\d+ lib\b", source)
    text = " ".join(text_of((site / "safety-mirrors.html").read_text(encoding="utf-8")).split())
    golden = REPO / "parity" / "golden"
    for name in ("analysis", "dna_mapper", "l7_symbolic", "predictive_model", "splitmix"):
        cases = read_golden(golden / f"{name}.txt").cases
        valid = sum(c.valid for c in cases)
        assert f"{len(cases)} ({valid} + {len(cases) - valid})" in text
    mirror_tests = sum(len(re.findall(r"^\s*#\[test\]", p.read_text(encoding="utf-8"), re.M))
                       for p in (REPO / "rust" / "mirror" / "src" / "kernels").glob("*.rs"))
    assert f"{mirror_tests} lib +" in text


def test_study_section_shows_the_fresh_process_first_calls(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    from sc_neurocore.accel.bench.report import read_results

    hook = _hook()
    data = json.loads(_committed_studies()[0].read_text(encoding="utf-8"))
    calls = [0.4e-3, 0.25e-3, 0.3e-3]
    data["first_calls"] = [
        {"process": k, "workload": "W1", "calls": 3, "threads": 2,
         "default_median_s": 0.3e-3, "one_thread_median_s": (0.5 + k / 10) * 1e-3,
         "ratio": 0.3 / (0.5 + k / 10), "default_times_s": calls,
         "one_thread_times_s": [(0.5 + k / 10) * 1e-3] * 3, "bit_identical": k == 0}
        for k in range(2)]
    # A row with the pool's counters; the other is as written before they existed.
    data["first_calls"][1].update(regions=60, regions_helped=57, helper_task_share=0.48)
    data["headline"]["first_calls_over_one_thread"] = {"W1": 0.6}
    path = tmp_path / "benchmarks" / "results" / "bench-test.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    assert len(read_results(path)[0].first_calls) == 2
    monkeypatch.setattr(hook, "REPO", tmp_path)
    page = hook.study_markdown(path)
    assert "**Fresh-process first calls**: rust on W1, 2 fresh processes" in page
    assert "| 0 | 2 | 0.300 | 0.500 | 0.60 | - | - | ✓ |" in page
    assert "| 1 | 2 | 0.300 | 0.600 | 0.50 | 57/60 | 48% | ✗ |" in page
    assert "fresh-process first calls / 1 thread, worst process W1 0.60" in page


def _hook() -> object:
    spec = importlib.util.spec_from_file_location("docs_generated_hook",
                                                  REPO / "docs" / "hooks" / "generated.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_generated_part_is_known_and_unknown_ones_fail() -> None:
    hook = _hook()
    used = {m[1] for page in (REPO / "docs").glob("*.md")
            for m in hook.MARKER.finditer(page.read_text(encoding="utf-8"))}
    assert used == set(hook.GENERATORS), f"markers {sorted(used)}, generators {hook.GENERATORS}"

    class Page:
        class file:
            src_uri = "x.md"

    with pytest.raises(ValueError, match="unknown generated part"):
        hook.on_page_markdown("text\n<!-- generated: no-such-part -->\n", Page(), None, None)
