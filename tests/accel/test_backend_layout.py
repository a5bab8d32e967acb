"""One shape for every backend (issue 15): private packages behind thin public modules.

* every backend package under ``sc_neurocore.accel._backends`` exposes its
  operations under the shared names of ``OPERATIONS`` (plus its ``forward``),
  and each documented public function *is* that operation, re-exported under
  its contract name;
* the public modules only re-export (they define no function or class) and
  name themselves as their objects' home;
* no module of the package is over 1,000 lines;
* ``sc_neurocore._validation`` exports every check it defines, and the rest of
  the package imports only what it exports.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pickle
from pathlib import Path

import pytest
import sc_neurocore
from sc_neurocore import _validation
from sc_neurocore.accel import _backends

PACKAGE = Path(sc_neurocore.__file__).resolve().parent

# public module -> {contract name: (backend package, operation)}
PUBLISHED = {
    "vector_ops": {"pack_bitstream": ("on_numpy", "pack"),
                   "unpack_bitstream": ("on_numpy", "unpack"), "vec_and": ("on_numpy", "and_"), "vec_xnor": ("on_numpy", "xnor"),
                   "vec_not": ("on_numpy", "not_"), "vec_mux": ("on_numpy", "mux"),
                   "vec_popcount": ("on_numpy", "popcount")},
    "lif": {"lif_step": ("on_numpy", "lif_step"),
            "forward_pass_numpy": ("on_numpy", "forward_pass")},
    "jit_kernels": {"jit_pack_bits": ("on_numba", "pack"), "jit_vec_mac": ("on_numba", "mac")},
    "jax_backend": {"jax_pack_bitstream": ("on_jax", "pack"), "jax_vec_and": ("on_jax", "and_"),
                    "jax_vec_xnor": ("on_jax", "xnor"), "jax_vec_not": ("on_jax", "not_"),
                    "jax_vec_mux": ("on_jax", "mux"), "jax_popcount": ("on_jax", "popcount"),
                    "jax_vec_mac": ("on_jax", "mac"), "jax_lif_step": ("on_jax", "lif_step"),
                    "jax_forward_pass": ("on_jax", "forward_pass")},
    "gpu_backend": {"gpu_pack_bitstream": ("on_cupy", "pack"), "gpu_vec_and": ("on_cupy", "and_"),
                    "gpu_popcount": ("on_cupy", "popcount"), "gpu_vec_mac": ("on_cupy", "mac")},
    "mpi_driver": {"mpi_sc_forward": ("on_mpi", "forward")},
}
THIN = ("backend", "sc_inference", "lfsr", "prepared", "vector_ops", "lif", "jit_kernels",
        "jax_backend", "gpu_backend", "mpi_driver")


@pytest.mark.parametrize("name", _backends.BACKEND_PACKAGES)
def test_every_backend_package_has_forward_and_only_shared_operation_names(name):
    package = importlib.import_module(f"sc_neurocore.accel._backends.{name}")
    assert callable(package.forward)
    operations = {n for n in package.__all__ if inspect.isfunction(getattr(package, n))
                  and n in _backends.OPERATIONS}
    assert operations, f"{name} exposes none of the shared operations"
    for op in operations:  # an operation is defined in the package, not borrowed
        assert getattr(package, op).__code__.co_filename.startswith(
            str(PACKAGE / "accel" / "_backends" / name))


@pytest.mark.parametrize("module", sorted(PUBLISHED))
def test_each_public_function_is_its_backends_operation(module):
    public = importlib.import_module(f"sc_neurocore.accel.{module}")
    for contract_name, (backend, op) in PUBLISHED[module].items():
        package = importlib.import_module(f"sc_neurocore.accel._backends.{backend}")
        function = getattr(public, contract_name)
        assert function is getattr(package, op), contract_name
        assert contract_name in public.__all__
        # help(), repr and pickle show the documented home and name
        assert (function.__module__, function.__name__) == (public.__name__, contract_name)
        assert pickle.loads(pickle.dumps(function)) is function


@pytest.mark.parametrize("module", THIN)
def test_public_modules_only_reexport(module):
    tree = ast.parse((PACKAGE / "accel" / f"{module}.py").read_text(encoding="utf-8"))
    defined = [node.name for node in tree.body
               if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name != "__getattr__"]
    assert defined == [], f"{module}.py defines {defined}: it belongs in a private module"


def test_no_module_is_over_a_thousand_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 1000}
    assert long == {}


def test_validation_exports_every_check_it_defines():
    defined = set()
    for path in (PACKAGE / "_validation").glob("[!_]*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined |= {node.name for node in tree.body
                    if isinstance(node, (ast.FunctionDef, ast.ClassDef))
                    and not node.name.startswith("_")}
    assert defined <= set(_validation.__all__)
    assert all(hasattr(_validation, name) for name in _validation.__all__)


def _absolute_module(path: Path, node: ast.ImportFrom) -> str | None:
    """The module an ``ImportFrom`` in ``path`` names, relative imports resolved."""
    if not node.level:
        return node.module
    parts = ("sc_neurocore",) + path.relative_to(PACKAGE).with_suffix("").parts
    base = parts[:len(parts) - node.level]  # a module's own name counts as level 1
    return ".".join(base + ((node.module,) if node.module else ()))


def test_the_package_imports_only_exported_checks():
    misses = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (
                    _absolute_module(path, node) == "sc_neurocore._validation"):
                misses += [f"{path.relative_to(PACKAGE)}: {a.name}" for a in node.names
                           if a.name not in _validation.__all__]
    assert misses == []
