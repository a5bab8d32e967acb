"""The two LGSSM backends, and masked observations as missing values.

* ``backend="rust"`` (the safety mirror run through the engine) is bit-identical
  to ``backend="python"`` on every LGSSM golden case and on random models,
  masks and controls (hypothesis): same moments, log-likelihoods, EM models and
  histories, same refusals (exception classes);
* backend selection: ``"auto"`` picks Rust when the engine is built, an
  explicit ``"rust"`` without the engine is a clear ``RuntimeError``;
* masked observations (issue 14: the mask used to be dropped silently, so the
  values under it were filtered as data): the filter conditions on the observed
  entries only, which equals exact Gaussian conditioning of the dense joint
  distribution on those entries, and the log-likelihood is the density of the
  observed entries; EM takes fully masked steps and refuses partly masked ones.

This machine builds the engine (``make install``), so the Rust checks run here;
``SC_NEUROCORE_REQUIRE_BACKENDS`` makes a missing engine a failure in
``make test``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lgssm_reference import block, close, dense_condition, dense_loglik
from sc_neurocore.world_model import _lgssm_backends
from sc_neurocore.world_model.predictive_model import (
    EMLearner,
    FilterResult,
    KalmanFilter,
    LinearGaussianSSM,
    RTSSmoother,
)

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # the golden cases' module lives in parity/
    sys.path.insert(0, str(REPO))
SLOW = settings(max_examples=25, deadline=None)
ENGINE = _lgssm_backends.rust_available()
needs_engine = pytest.mark.skipif(not ENGINE, reason="the Rust engine is not built")

FILTER_FIELDS = ("means", "covariances", "pred_means", "pred_covariances")
SMOOTH_FIELDS = ("means", "covariances", "cross_covariances")


def same_bits(a: object, b: object) -> bool:
    """Equal shapes and identical float64 bit patterns (NaN and -0.0 included)."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return x.shape == y.shape and np.array_equal(x.view(np.uint64), y.view(np.uint64))


def outcome(call: Any) -> tuple[str, object]:
    """``("ok", value)`` or ``("raised", exception class)``."""
    try:
        return "ok", call()
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return "raised", type(exc)


def filters_agree(model: LinearGaussianSSM, y: object, u: object) -> None:
    got = {b: outcome(lambda b=b: KalmanFilter(model).filter(y, u, backend=b))
           for b in ("python", "rust")}
    assert got["python"][0] == got["rust"][0], got
    if got["python"][0] == "raised":
        assert got["python"][1] is got["rust"][1], got
        return
    py, rs = got["python"][1], got["rust"][1]
    assert isinstance(py, FilterResult) and isinstance(rs, FilterResult)
    for k in FILTER_FIELDS:
        assert same_bits(getattr(py, k), getattr(rs, k)), k
    assert same_bits(py.log_likelihood, rs.log_likelihood)
    sp = outcome(lambda: RTSSmoother(model).smooth(py, backend="python"))
    sr = outcome(lambda: RTSSmoother(model).smooth(py, backend="rust"))
    assert sp[0] == sr[0], (sp, sr)
    if sp[0] == "ok":
        for k in SMOOTH_FIELDS:
            assert same_bits(getattr(sp[1], k), getattr(sr[1], k)), k
    else:
        assert sp[1] is sr[1]


def em_agree(model: LinearGaussianSSM, y: object, u: object, max_iter: int,
             tol: float) -> None:
    learners = {b: EMLearner(max_iter, tol) for b in ("python", "rust")}
    got = {b: outcome(lambda b=b: learners[b].fit(y, model, u, backend=b))
           for b in ("python", "rust")}
    assert got["python"][0] == got["rust"][0], got
    history = {b: np.array(learners[b].log_likelihood_history) for b in learners}
    assert same_bits(history["python"], history["rust"])
    if got["python"][0] == "raised":
        assert got["python"][1] is got["rust"][1], got
        return
    assert got["python"][1] == got["rust"][1]


# ------------------------------------------------------------------ golden cases

def golden_lgssm_cases() -> list[Any]:
    from parity.golden_format import read_golden
    from parity.safety_cases import predictive_model as cases

    golden = read_golden(REPO / "parity" / "golden" / "predictive_model.txt")
    return [c for c in golden.cases if str(c.inputs["op"].item()) in cases.LGSSM_OPS]


@needs_engine
def test_rust_is_bit_identical_on_every_lgssm_golden_case() -> None:
    from parity.safety_cases import predictive_model as cases

    checked = 0
    for case in golden_lgssm_cases():
        inputs = case.inputs
        op = str(inputs["op"].item())
        outcomes = {}
        try:
            model = cases.model_of(inputs)
        except ValueError:
            continue  # an invalid model: no backend runs
        for backend in ("python", "rust"):
            def run(backend: str = backend) -> object:
                if op == "KalmanFilter.filter":
                    return KalmanFilter(model).filter(cases.observations_of(inputs),
                                                      cases.controls_of(inputs), backend=backend)
                if op == "RTSSmoother.smooth":
                    fr = KalmanFilter(model).filter(cases.observations_of(inputs),
                                                    cases.controls_of(inputs), backend=backend)
                    return RTSSmoother(model).smooth(fr, backend=backend)
                if op == "RTSSmoother.smooth[filter_result]":
                    return RTSSmoother(model).smooth(cases.filter_result_of(inputs),
                                                     backend=backend)
                learner = EMLearner(inputs["max_iter"].item(), inputs["tol"].item())
                fitted = learner.fit(cases.observations_of(inputs), model,
                                     cases.controls_of(inputs), backend=backend)
                return fitted, learner.log_likelihood_history
            outcomes[backend] = outcome(run)
        py, rs = outcomes["python"], outcomes["rust"]
        assert py[0] == rs[0] == ("ok" if case.valid else "raised"), (case.comment, py, rs)
        if py[0] == "raised":
            assert py[1] is rs[1], case.comment
        elif op == "EMLearner.fit":
            assert py[1][0] == rs[1][0], case.comment  # type: ignore[index]
            assert same_bits(py[1][1], rs[1][1]), case.comment  # type: ignore[index]
        else:
            fields = FILTER_FIELDS + ("log_likelihood",) if op == "KalmanFilter.filter" \
                else SMOOTH_FIELDS
            for k in fields:
                assert same_bits(getattr(py[1], k), getattr(rs[1], k)), (case.comment, k)
        checked += 1
    assert checked >= 30, checked


# ------------------------------------------------------------------ random models

@st.composite
def problems(draw: st.DrawFn, masked: bool = True
             ) -> tuple[LinearGaussianSSM, object, np.ndarray | None]:
    n, p, m = draw(st.integers(1, 5)), draw(st.integers(1, 4)), draw(st.integers(0, 2))
    seed = draw(st.integers(0, 2**64 - 1))
    steps = draw(st.integers(1, 30))
    model = LinearGaussianSSM.random(n, p, m, seed)
    u = (np.cos(np.arange(steps * m, dtype=np.float64) * 0.37).reshape(steps, m) if m
         else None)
    _, y = model.sample(steps, u, seed=seed ^ 5)
    if masked and draw(st.booleans()):
        bits = draw(st.lists(st.booleans(), min_size=steps * p, max_size=steps * p))
        mask = np.array(bits).reshape(steps, p)
        y = np.ma.masked_array(np.where(mask, np.nan, y), mask=mask)
    return model, y, u


@needs_engine
@SLOW
@given(problems())
def test_rust_filter_and_smoother_are_bit_identical(
        problem: tuple[LinearGaussianSSM, object, np.ndarray | None]) -> None:
    filters_agree(*problem)


@needs_engine
@SLOW
@given(problems(masked=False), st.integers(1, 4), st.sampled_from([0.0, 1e-3, 1e3]))
def test_rust_em_is_bit_identical(problem: tuple[LinearGaussianSSM, object, np.ndarray | None],
                                  max_iter: int, tol: float) -> None:
    model, y, u = problem
    start = LinearGaussianSSM.random(model.state_dim, model.obs_dim, model.control_dim,
                                     seed=max_iter)
    em_agree(start, y, u, max_iter, tol)


@needs_engine
def test_rust_em_with_missing_steps_and_failures_is_bit_identical() -> None:
    truth = LinearGaussianSSM.random(3, 2, 1, seed=5)
    u = np.sin(np.arange(60.0))[:, None]
    _, y = truth.sample(60, u, seed=6)
    mask = np.zeros_like(y, dtype=bool)
    mask[[3, 4, 30, 59]] = True
    start = LinearGaussianSSM.random(3, 2, 1, seed=7)
    em_agree(start, np.ma.masked_array(y, mask=mask), u, 6, 0.0)
    mask[10, 0] = True  # a partly masked step: both refuse, history empty on both
    em_agree(start, np.ma.masked_array(y, mask=mask), u, 6, 0.0)
    # A degenerate M-step (every step masked): the same error after the same history.
    em_agree(start, np.ma.masked_all(y.shape), u, 3, 0.0)


@needs_engine
def test_rust_refusals_match_python() -> None:
    model = LinearGaussianSSM.random(2, 2, 1, seed=1)
    u = np.zeros((4, 1))
    twins = LinearGaussianSSM(A=[[1.0]], B=None, C=[[1.0], [1.0]], D=None, Q=[[0.0]],
                              R=np.eye(2) * 1e-20, mu_0=[0.0], Sigma_0=[[1.0]])
    filters_agree(twins, np.zeros((2, 2)), None)  # LinAlgError on both
    big = LinearGaussianSSM([[1e300]], None, [[1e300]], None, [[1e300]], [[1e300]], [0.0],
                            [[1e300]])
    filters_agree(big, [1e300, -1e300], None)  # overflow on both
    filters_agree(model, np.zeros((4, 3)), u)  # wrong shape
    dead = LinearGaussianSSM([[0.0]], None, [[1.0]], None, [[0.0]], [[1.0]], [0.0], [[1.0]])
    filters_agree(dead, [0.1, 0.2], None)  # smoother: singular predicted covariance


# ------------------------------------------------------------------ selection

def test_auto_picks_rust_when_the_engine_is_built() -> None:
    assert _lgssm_backends.resolve_backend("auto") == ("rust" if ENGINE else "python")
    assert _lgssm_backends.resolve_backend("python") == "python"


def test_without_the_engine_auto_is_python_and_rust_is_a_clear_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lgssm_backends, "_ENGINE", None)
    monkeypatch.setattr(_lgssm_backends, "_WHY_NOT", "the compiled engine is not importable")
    assert not _lgssm_backends.rust_available()
    model = LinearGaussianSSM.random(2, 1, seed=2)
    y = np.zeros((3, 1))
    assert np.isfinite(KalmanFilter(model).filter(y).log_likelihood)  # auto: python
    with pytest.raises(RuntimeError, match="backend 'rust' is not available: the compiled"):
        KalmanFilter(model).filter(y, backend="rust")
    with pytest.raises(RuntimeError, match="backend 'rust' is not available"):
        EMLearner(max_iter=1).fit(y, model, backend="rust")


def test_an_engine_without_the_bindings_is_reported() -> None:
    import types

    fake = types.ModuleType("sc_neurocore._engine")
    real = sys.modules.get("sc_neurocore._engine")
    try:
        sys.modules["sc_neurocore._engine"] = fake
        engine, why = _lgssm_backends._load_engine()
    finally:
        if real is not None:
            sys.modules["sc_neurocore._engine"] = real
    assert engine is None and "lacks lgssm_filter" in why


@needs_engine
def test_engine_refuses_bad_direct_calls_without_panicking() -> None:
    from sc_neurocore import _engine

    eye = np.eye(2)
    parts = (eye, np.zeros((2, 0)), eye, np.zeros((2, 0)), eye, eye, np.zeros(2), eye)
    with pytest.raises(ValueError, match="observations"):
        _engine.lgssm_filter(parts, np.zeros((3, 5)), np.zeros((3, 0)))
    with pytest.raises(ValueError, match="mask"):
        _engine.lgssm_filter(parts, np.zeros((3, 2)), np.zeros((3, 0)),
                             np.zeros((2, 2), dtype=np.uint8))
    with pytest.raises(ValueError, match="Q"):
        _engine.lgssm_filter((*parts[:4], -eye, *parts[5:]), np.zeros((3, 2)),
                             np.zeros((3, 0)))
    with pytest.raises(TypeError):
        _engine.lgssm_filter(parts, np.zeros((3, 2), dtype=np.int32), np.zeros((3, 0)))
    with pytest.raises(ValueError, match="length 8"):
        _engine.lgssm_filter(parts[:7], np.zeros((3, 2)), np.zeros((3, 0)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_iter"):
        _engine.lgssm_em_fit(parts, np.zeros((3, 2)), np.zeros((3, 0)), None, 0, 0.0)
    with pytest.raises(np.linalg.LinAlgError):
        _engine.lgssm_smooth(parts, np.zeros((2, 2)), np.repeat(eye[None], 2, 0),
                             np.zeros((2, 2)), np.zeros((2, 2, 2)), -1.0)


# ------------------------------------------------------------------ missing observations

def masked_problem(seed: int = 3) -> tuple[LinearGaussianSSM, np.ndarray, np.ndarray,
                                           np.ndarray]:
    model = LinearGaussianSSM.random(3, 2, 1, seed=seed)
    u = np.cos(np.arange(8.0))[:, None]
    _, y = model.sample(8, u, seed=seed + 1)
    mask = np.zeros((8, 2), dtype=bool)
    mask[1, 0] = mask[4] = mask[6, 1] = mask[7] = True  # partial, whole, partial, last
    return model, y, u, mask


@pytest.mark.parametrize("backend", ["python", "rust"])
def test_masked_entries_are_missing_not_data(backend: str) -> None:
    # Before issue 14 the mask was dropped: the 1e6 under it was filtered as data.
    model, y, u, mask = masked_problem()
    garbage = np.where(mask, 1e6, y)
    fr = KalmanFilter(model).filter(np.ma.masked_array(garbage, mask=mask), u, backend=backend)
    observed = ~mask
    n = model.state_dim
    for t in range(8):
        mean, cov = dense_condition(model, y, u, t + 1, observed)
        assert close(fr.means[t], mean[t]) and close(fr.covariances[t], block(cov, n, t, t))
        mean, cov = dense_condition(model, y, u, t, observed)
        assert close(fr.pred_means[t], mean[t])
        assert close(fr.pred_covariances[t], block(cov, n, t, t))
    assert close(fr.log_likelihood, dense_loglik(model, y, u, observed))
    # A fully masked step has no update: its filtered moments are its predicted ones.
    for t in (4, 7):
        assert np.array_equal(fr.means[t], fr.pred_means[t])
        assert np.array_equal(fr.covariances[t], fr.pred_covariances[t])
    sr = RTSSmoother(model).smooth(fr, backend=backend)
    mean, cov = dense_condition(model, y, u, 8, observed)
    assert close(sr.means, mean)
    for t in range(7):
        assert close(sr.cross_covariances[t], block(cov, n, t, t + 1))


@pytest.mark.parametrize("backend", ["python", "rust"])
def test_nan_under_the_mask_is_never_read(backend: str) -> None:
    model, y, u, mask = masked_problem(5)
    a = KalmanFilter(model).filter(np.ma.masked_array(np.where(mask, np.nan, y), mask=mask), u,
                                   backend=backend)
    b = KalmanFilter(model).filter(np.ma.masked_array(np.where(mask, -7.0, y), mask=mask), u,
                                   backend=backend)
    for k in FILTER_FIELDS + ("log_likelihood",):
        assert same_bits(getattr(a, k), getattr(b, k)), k
    with pytest.raises(ValueError, match="observations must be finite"):
        bad = np.where(mask, 0.0, y)
        bad[0, 0] = np.nan  # observed: refused
        KalmanFilter(model).filter(np.ma.masked_array(bad, mask=mask), u, backend=backend)


@pytest.mark.parametrize("backend", ["python", "rust"])
def test_an_all_false_mask_is_no_mask(backend: str) -> None:
    model, y, u, _ = masked_problem(7)
    plain = KalmanFilter(model).filter(y, u, backend=backend)
    masked = KalmanFilter(model).filter(np.ma.masked_array(y, mask=False), u, backend=backend)
    for k in FILTER_FIELDS + ("log_likelihood",):
        assert same_bits(getattr(plain, k), getattr(masked, k)), k
    everything = KalmanFilter(model).filter(np.ma.masked_all(y.shape), u, backend=backend)
    assert everything.log_likelihood == 0.0  # nothing observed: log p(nothing) = 0
    assert np.array_equal(everything.means, everything.pred_means)


@pytest.mark.parametrize("backend", ["python", "rust"])
def test_em_takes_whole_missing_steps_and_refuses_partial_ones(backend: str) -> None:
    truth = LinearGaussianSSM.random(2, 2, 0, seed=11)
    _, y = truth.sample(80, seed=12)
    mask = np.zeros_like(y, dtype=bool)
    mask[10:20] = True
    start = LinearGaussianSSM.random(2, 2, 0, seed=13)
    learner = EMLearner(max_iter=8, tol=0.0)
    learner.fit(np.ma.masked_array(np.where(mask, 1e6, y), mask=mask), start, backend=backend)
    lls = np.array(learner.log_likelihood_history)
    assert lls.size == 9 and np.all(np.diff(lls) >= -1e-9 * np.abs(lls[:-1]))
    # The history is the likelihood of the observed steps only (no 1e6 in it).
    assert close(lls[0], dense_loglik(start, y, np.zeros((80, 0)), ~mask))
    mask[30, 1] = True
    with pytest.raises(ValueError, match="step 30 is partly masked"):
        EMLearner().fit(np.ma.masked_array(y, mask=mask), start, backend=backend)
    with pytest.raises(ValueError, match="controls must not hold masked"):
        EMLearner().fit(y, LinearGaussianSSM.random(2, 2, 1, seed=1),
                        np.ma.masked_array(np.zeros((80, 1)), mask=np.eye(80, 1, dtype=bool)),
                        backend=backend)


@needs_engine
def test_the_timing_study_rows_run_and_report_bit_identity() -> None:
    from sc_neurocore.accel.bench import lgssm_extras, study

    assert ("rust", "sc_neurocore.accel.bench.lgssm_extras",
            "bench_extras") in study.EXTRA_PROVIDERS
    messages: list[str] = []
    rows = lgssm_extras.bench_extras(True, messages.append, smoke=True)
    assert len(rows) == 4 and len(messages) == 4
    for row in rows:
        assert row["median_s"] > 0 and row["baseline_median_s"] > 0
        assert "bit-identical" in row["note"] and "MISMATCH" not in row["note"]
