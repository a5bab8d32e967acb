"""Every safety-mirror golden file against its Python surface (docs/safety-mirrors.md).

Generic over the registry :mod:`parity.safety_cases`: a surface adds its case
module ``parity/safety_cases/<name>.py`` and is checked here with no test code
of its own. For each registered file:

* the committed ``parity/golden/<name>.txt`` is what ``build()`` writes: byte for
  byte, or with outputs under an ``rtol`` moved within it (as on another CPU);
* it is well formed: ``op`` (0-D ``str``) is every case's first input, ids run
  1..N, there are valid and invalid cases, ``rtol`` only names ``f64`` outputs;
* every case passes through the module's ``run_case`` (the Python surface)
  under FORMAT.md's comparison rules (the file's ``rtol``, else bit for bit),
  and every invalid case is refused with ``ValueError``/``TypeError``.

The Rust side reads the same files in ``rust/mirror``'s lib tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sc_neurocore.splitmix import GAMMA  # noqa: E402

from parity import cli, safety_cases  # noqa: E402
from parity.compare import Answer, compare_case, compare_kernel  # noqa: E402
from parity.golden_diff import diff_golden  # noqa: E402
from parity.golden_format import dtype_tag, dumps_golden, read_golden  # noqa: E402
from parity.kernels import KERNELS  # noqa: E402
from parity.languages import MIRROR_LANGUAGES, get_language  # noqa: E402
from parity.regen import golden_path  # noqa: E402
from parity.safety_cases._builder import run_safety_case  # noqa: E402

NAMES = safety_cases.names()


def test_registry_lists_splitmix_and_only_case_modules() -> None:
    assert "splitmix" in NAMES
    assert not any(n.startswith("_") for n in NAMES)
    assert not set(NAMES) & set(KERNELS)
    with pytest.raises(ValueError, match="must be one of"):
        safety_cases.load("no_such_surface")


@pytest.mark.parametrize("name", NAMES)
def test_committed_file_is_the_build(name: str) -> None:
    # Byte for byte where the build reproduces it exactly; otherwise only
    # outputs under an rtol may move, within it (parity/golden_diff.py).
    path = golden_path(name)
    assert path.is_file(), f"{path} is missing: run `python -m parity regen`"
    built = safety_cases.build(name)
    if path.read_bytes() != dumps_golden(built).encode("ascii"):
        diff = diff_golden(read_golden(path), built)
        assert diff.same, diff.differences[:5]


@pytest.mark.parametrize("name", NAMES)
def test_committed_file_is_well_formed(name: str) -> None:
    golden = read_golden(golden_path(name))
    assert golden.kernel == name
    assert [c.id for c in golden.cases] == list(range(1, len(golden.cases) + 1))
    assert any(c.valid for c in golden.cases) and any(not c.valid for c in golden.cases)
    for case in golden.cases:
        first = next(iter(case.inputs))
        assert first == "op", case.id
        assert case.inputs["op"].ndim == 0 and dtype_tag(case.inputs["op"]) == "str", case.id
    for out in golden.rtol:
        assert all(dtype_tag(c.outputs[out]) == "f64" for c in golden.cases if out in c.outputs)


@pytest.mark.parametrize("name", NAMES)
def test_every_case_passes_the_python_surface(name: str) -> None:
    golden = read_golden(golden_path(name))
    run_case = safety_cases.load(name).run_case
    answers = {c.id: run_safety_case(run_case, c.inputs) for c in golden.cases}
    result = compare_kernel(golden, answers)
    detail = result.first.describe() if result.first else ""
    assert result.status == "pass", detail
    assert result.passed == len(golden.cases)


def test_a_wrong_generator_fails_the_splitmix_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: one changed constant in the generator is caught."""
    import sc_neurocore.splitmix as sm

    golden = read_golden(golden_path("splitmix"))
    run_case = safety_cases.load("splitmix").run_case
    monkeypatch.setattr(sm, "_MUL2", sm._MUL2 ^ 1)
    answers = {c.id: run_safety_case(run_case, c.inputs) for c in golden.cases}
    result = compare_kernel(golden, answers)
    assert result.status == "fail"
    # Every valid case fails but two whose outputs do not depend on the words
    # drawn: n = 0, and below(1) (always 0, one draw each).
    assert result.failures == sum(c.valid for c in golden.cases) - 2


def test_splitmix_normals_use_the_tolerance_and_nothing_else_does() -> None:
    golden = read_golden(golden_path("splitmix"))
    assert golden.rtol == {"normals": 1e-12, "normal": 1e-12}
    case = next(c for c in golden.cases if c.valid and "normals" in c.outputs)
    nudged = dict(case.outputs)
    nudged["normals"] = np.nextafter(nudged["normals"], np.inf)

    assert compare_case("splitmix", case, Answer("ok", nudged), golden.rtol) is None
    assert compare_case("splitmix", case, Answer("ok", nudged)) is not None
    case = next(c for c in golden.cases if c.valid and "uniforms" in c.outputs)
    nudged = dict(case.outputs)
    nudged["uniforms"] = np.nextafter(nudged["uniforms"], np.inf)
    assert compare_case("splitmix", case, Answer("ok", nudged), golden.rtol) is not None


def test_splitmix_file_holds_the_published_first_outputs() -> None:
    golden = read_golden(golden_path("splitmix"))
    case = next(c for c in golden.cases if c.valid and "u64s" in c.outputs
                and int(c.inputs["seed"]) == 1234567)
    # Rosetta Code, "Pseudo-random numbers/Splitmix64", seed 1234567.
    assert case.outputs["u64s"][:5].tolist() == [
        6457827717110365317, 3203168211198807973, 9817491932198370423,
        4593380528125082431, 16408922859458223821]
    assert int(case.outputs["state"]) == (1234567 + 64 * GAMMA) % 2**64


def test_runner_never_hands_safety_files_to_a_language(capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m parity run` covers the kernels only; no mirror is asked for a safety file."""
    for lang in MIRROR_LANGUAGES:
        implemented = get_language(lang).implemented()
        assert not set(implemented) & set(NAMES), lang
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["run", "--lang", "go", "--kernels", "splitmix"])
    assert "unknown kernel splitmix" in capsys.readouterr().err
