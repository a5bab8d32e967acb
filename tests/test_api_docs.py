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
"""

from __future__ import annotations

import html
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

pytest.importorskip("mkdocs", reason="the docs extra is not installed (make install adds it)")
pytest.importorskip("mkdocstrings_handlers.python")

REPO = Path(__file__).resolve().parents[1]
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
                    "numba_extras", "jax_extras", "mpi_bench", "report")},
}
# Private helpers the API page once listed as API, and the timing study's internal helpers.
PRIVATE = ["check_positive", "check_finite_scalar", "validate_lif_step", "validate_forward_pass",
           "lfsr_next", "lfsr_tables", "start_states", "quantize", "encode_bits",
           "bench_extras", "forward_numpy", "counts_to_rates", "forward_counts_numpy",
           "KernelBackend", "TRACE_COUNTS", "INSTALL_HINT", "engine_info", "backend_class",
           "median_of", "results_stem", "encode_weights", "error_stats", "rmse_per_doubling",
           "measure_accuracy", "accuracy_study", "cpu_hogs", "bench_job", "parse_bench_output",
           "bench_mpi", "run_mpi_study", "reference_numpy_sc_forward", "EXTRA_PROVIDERS",
           "PARALLEL_BACKENDS"]


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
    pages = [site / "api" / "index.html", *sorted((site / "safety").glob("*/index.html"))]
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
