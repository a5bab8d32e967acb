"""sc_neurocore.world_model.predictive_model speaks the reference project's API.

The contract is the public API of the reference's
``src/sc_neurocore/world_model/predictive_model.py`` (with its ``_lgssm_*`` and
``_predictive_world_model`` modules): its seven public names, their signatures
and defaults, return shapes and exception classes, written down below as data
and checked against ours; then the behaviours issue 14 found missing (each of
these tests fails on the code before the issue) and the world model's API.
"""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pytest
from sc_neurocore.world_model import predictive_model as pm
from sc_neurocore.world_model.predictive_model import (
    FilterResult,
    KalmanFilter,
    LinearGaussianSSM,
    PredictiveWorldModel,
)

#: The reference's public names and, per callable, its parameters in order
#: (``name`` or ``name=default``); ours may add parameters after them.
REFERENCE_API: dict[str, dict[str, list[str]]] = {
    "LinearGaussianSSM": {"__init__": ["A", "B", "C", "D", "Q", "R", "mu_0", "Sigma_0"],
                          "random": ["state_dim", "obs_dim", "control_dim=0", "seed=42"]},
    "FilterResult": {"__init__": ["means", "covariances", "pred_means", "pred_covariances",
                                  "log_likelihood"]},
    "KalmanFilter": {"__init__": ["model"],
                     "filter": ["observations", "controls=None", "backend='auto'"]},
    "SmoothResult": {"__init__": ["means", "covariances", "cross_covariances"]},
    "RTSSmoother": {"__init__": ["model"], "smooth": ["filter_result"]},
    "EMLearner": {"__init__": ["max_iter=50", "tol=0.0001"],
                  "fit": ["observations", "initial_model", "controls=None",
                          "backend='python'"]},
    "PredictiveWorldModel": {
        "__init__": ["state_dim", "action_dim", "seed=42"],
        "reset": [],
        "predict_next_state": ["current_state", "action"],
        "predict_next_state_with_cov": ["current_state", "current_cov", "action"],
        "forecast": ["initial_state", "actions"],
        "forecast_with_cov": ["initial_state", "initial_cov", "actions"],
    },
}


def _params(func: object) -> list[str]:
    out = []
    for p in inspect.signature(func).parameters.values():  # type: ignore[arg-type]
        if p.name == "self" or p.kind is p.VAR_KEYWORD:
            continue
        out.append(p.name if p.default is p.empty else f"{p.name}={p.default!r}")
    return out


def test_every_reference_name_imports_and_reports_the_public_module() -> None:
    assert set(REFERENCE_API) <= set(pm.__all__)
    for name in REFERENCE_API:
        obj = getattr(pm, name)
        assert obj.__module__ == "sc_neurocore.world_model.predictive_model", name


@pytest.mark.parametrize(("cls", "method"),
                         [(c, m) for c, ms in REFERENCE_API.items() for m in ms])
def test_signatures_start_with_the_reference_parameters(cls: str, method: str) -> None:
    want = REFERENCE_API[cls][method]
    got = _params(getattr(getattr(pm, cls), method))
    # Reference parameters first, in order, with their defaults; a parameter the
    # reference requires may have a default here (an extension), nothing else.
    assert len(got) >= len(want), got
    for w, g in zip(want, got):
        if "=" in w:
            assert g == w, (cls, method, got)
        else:
            assert g.split("=")[0] == w, (cls, method, got)
    extra = got[len(want):]
    assert all("=" in e for e in extra), extra  # additions are optional


# ------------------------------------------------------------------ issue 14, one by one

def _scalar_model(**changes: object) -> LinearGaussianSSM:
    params: dict[str, object] = dict(A=np.array([[1.0]]), B=np.zeros((1, 0)), C=np.array([[1.0]]),
                                     D=np.zeros((1, 0)), Q=np.array([[0.1]]),
                                     R=np.array([[1.0]]), mu_0=np.array([0.0]),
                                     Sigma_0=np.array([[1.0]]))
    params.update(changes)
    return LinearGaussianSSM(**params)  # type: ignore[arg-type]


def test_filter_and_fit_take_a_backend() -> None:
    model = _scalar_model()
    obs = np.array([[2.0], [1.0], [0.5]])
    result = KalmanFilter(model).filter(obs, backend="python")
    assert isinstance(result, FilterResult)
    # The closed-form first update: prior N(0, 1), R = 1 -> posterior N(1, 0.5).
    assert result.means[0, 0] == pytest.approx(1.0, rel=1e-15)
    assert result.covariances[0, 0, 0] == pytest.approx(0.5, rel=1e-15)
    learner = pm.EMLearner(max_iter=2)
    learned = learner.fit(obs, model, backend="python")
    assert isinstance(learned, LinearGaussianSSM)
    assert len(learner.log_likelihood_history) >= 2
    assert learner.log_likelihood_history[0] == result.log_likelihood
    assert pm.EMLearner().log_likelihood_history == []


def test_an_unknown_backend_names_the_choices() -> None:
    model = _scalar_model()
    with pytest.raises(ValueError, match="backend must be one of 'auto', 'python', 'rust'"):
        KalmanFilter(model).filter(np.zeros((2, 1)), backend="cuda")
    with pytest.raises(ValueError, match="backend must be"):
        pm.EMLearner(max_iter=1).fit(np.zeros((3, 1)), model, backend="cuda")
    with pytest.raises(ValueError, match="backend must be"):
        pm.RTSSmoother(model).smooth(KalmanFilter(model).filter(np.zeros((2, 1))), backend="gpu")
    with pytest.raises(TypeError, match="backend must be a str"):
        KalmanFilter(model).filter(np.zeros((2, 1)), backend=None)  # type: ignore[arg-type]
    for native in ("mojo", "go", "julia"):  # the reference's optional filters: not provided
        with pytest.raises(RuntimeError, match=f"backend '{native}' is not available"):
            KalmanFilter(model).filter(np.zeros((2, 1)), backend=native)


def test_a_likelihood_decrease_is_a_runtime_error() -> None:
    assert issubclass(pm.LikelihoodDecreaseError, RuntimeError)
    assert not issubclass(pm.LikelihoodDecreaseError, ArithmeticError)


@pytest.mark.parametrize("backend", ["python", "rust"])
def test_singular_covariances_raise_linalg_error(backend: str) -> None:
    singular = FilterResult(means=np.zeros((2, 1)), covariances=np.ones((2, 1, 1)),
                            pred_means=np.zeros((2, 1)),
                            pred_covariances=np.array([[[1.0]], [[0.0]]]), log_likelihood=-1.0)
    with pytest.raises(np.linalg.LinAlgError, match="positive definite"):
        pm.RTSSmoother(_scalar_model()).smooth(singular, backend=backend)
    # Two identical observation rows and an R far below C P C^T: the innovation
    # covariance [[1, 1], [1, 1]] (after rounding) has no Cholesky factor.
    twins = LinearGaussianSSM(A=[[1.0]], B=None, C=[[1.0], [1.0]], D=None, Q=[[0.0]],
                              R=np.eye(2) * 1e-20, mu_0=[0.0], Sigma_0=[[1.0]])
    with pytest.raises(np.linalg.LinAlgError, match="innovation covariance"):
        KalmanFilter(twins).filter(np.zeros((2, 2)), backend=backend)


def test_results_refuse_inconsistent_shapes_and_infinite_likelihoods() -> None:
    eye = np.repeat(np.eye(2)[None], 2, axis=0)
    with pytest.raises(ValueError, match="pred_means must have shape"):
        FilterResult(np.zeros((2, 2)), eye, np.zeros((3, 2)), eye, -1.0)
    with pytest.raises(ValueError, match="covariances must have shape"):
        FilterResult(np.zeros((2, 2)), np.ones((2, 1, 1)), np.zeros((2, 2)), eye, -1.0)
    with pytest.raises(ValueError, match="covariances must be symmetric"):
        FilterResult(np.zeros((2, 2)), np.repeat([[[1.0, 0.3], [0.0, 1.0]]], 2, axis=0),
                     np.zeros((2, 2)), eye, -1.0)
    with pytest.raises(ValueError, match="positive semidefinite"):
        FilterResult(np.zeros((2, 2)), np.repeat(np.diag([1.0, -1.0])[None], 2, axis=0),
                     np.zeros((2, 2)), eye, -1.0)
    with pytest.raises(ValueError, match="non-zero time and state dimensions"):
        FilterResult(np.zeros((0, 1)), np.zeros((0, 1, 1)), np.zeros((0, 1)),
                     np.zeros((0, 1, 1)), 0.0)
    with pytest.raises(ValueError, match="log_likelihood must be finite"):
        FilterResult(np.zeros((2, 2)), eye, np.zeros((2, 2)), eye, np.inf)
    with pytest.raises(ValueError, match="cross_covariances must have shape"):
        pm.SmoothResult(np.zeros((3, 2)), np.repeat(np.eye(2)[None], 3, axis=0),
                     np.zeros((3, 2, 2)))
    one = pm.SmoothResult(np.zeros((1, 2)), np.eye(2)[None], np.zeros((0, 2, 2)))
    assert one.cross_covariances.shape == (0, 2, 2)
    good = FilterResult([[0.0, 1.0]] * 2, eye, np.zeros((2, 2)), eye, -2)
    assert good.means.dtype == np.float64 and good.means.flags.c_contiguous
    assert good.log_likelihood == -2.0 and type(good.log_likelihood) is float
    assert not good.means.flags.writeable  # a result cannot be edited into inconsistency


def test_results_and_models_pickle_under_the_public_module() -> None:
    model = LinearGaussianSSM.random(2, 1, 1, seed=3)
    fr = KalmanFilter(model).filter(np.zeros((3, 1)), np.zeros((3, 1)), backend="python")
    again = pickle.loads(pickle.dumps(fr))
    assert np.array_equal(again.means, fr.means)
    assert type(again).__module__ == "sc_neurocore.world_model.predictive_model"
    assert pickle.loads(pickle.dumps(model)) == model


def test_random_models_are_reproducible_with_the_documented_shapes() -> None:
    first = LinearGaussianSSM.random(4, 3, 2, seed=841)
    second = LinearGaussianSSM.random(4, 3, 2, seed=841)
    assert first == second
    assert np.abs(np.linalg.eigvals(first.A)).max() < 1.0
    assert first.B.shape == (4, 2) and first.D.shape == (3, 2)
    for args, words in (((0, 1, 0), "state_dim"), ((1, 0, 0), "obs_dim"),
                        ((1, 1, -1), "control_dim"), ((True, 1, 0), "state_dim")):
        with pytest.raises(ValueError, match=words):
            LinearGaussianSSM.random(*args)


def test_keyword_construction_as_the_reference_dataclass() -> None:
    model = LinearGaussianSSM(A=np.array([[0.5]]), B=np.zeros((1, 0)), C=np.array([[2.0]]),
                              D=np.zeros((1, 0)), Q=np.array([[1.0]]), R=np.array([[5.0]]),
                              mu_0=np.array([0.0]), Sigma_0=np.array([[1.0]]))
    assert (model.state_dim, model.obs_dim, model.control_dim) == (1, 1, 0)
    assert model.A.dtype == np.float64 and model.A.flags.c_contiguous


# ------------------------------------------------------------------ the world model

def test_world_model_constructor_and_attributes() -> None:
    world = PredictiveWorldModel(3, 2)
    assert (world.state_dim, world.action_dim, world.seed) == (3, 2, 42)
    assert world.model == LinearGaussianSSM.random(3, 3, 2, seed=42)
    assert repr(world) == "PredictiveWorldModel(state_dim=3, action_dim=2, seed=42)"
    for args, words in (((0, 1), "state_dim"), ((2, -1), "action_dim"),
                        ((True, 1), "state_dim")):
        with pytest.raises(ValueError, match=words):
            PredictiveWorldModel(*args)


def test_mean_prediction_obeys_the_dynamics_and_takes_a_scalar_action() -> None:
    world = PredictiveWorldModel(3, 2, seed=71)
    state, action = np.array([0.2, -0.1, 0.5]), np.array([0.4, -0.3])
    predicted = world.predict_next_state(state, action)
    a, b = world.model.A, world.model.B
    np.testing.assert_allclose(predicted, a @ state + b @ action, rtol=1e-14, atol=1e-15)
    one = PredictiveWorldModel(2, 1, seed=1)
    assert np.array_equal(one.predict_next_state(np.array([1.0, -1.0]), np.array(0.5)),
                          one.predict_next_state(np.array([1.0, -1.0]), np.array([0.5])))
    assert np.array_equal(one.predict_next_state([1.0, -1.0], 0.5),
                          one.predict_next_state([1.0, -1.0], [0.5]))
    with pytest.raises(ValueError, match="action must have shape"):
        PredictiveWorldModel(2, 2).predict_next_state(np.zeros(2), np.array(0.5))


@pytest.mark.parametrize(("state", "action", "words"), [
    (np.zeros(3), np.zeros(1), "current_state must have shape"),
    (np.zeros(2), np.zeros(2), "action must have shape"),
    (np.array([np.nan, 0.0]), np.zeros(1), "finite"),
    (np.zeros(2), np.array([np.inf]), "finite"),
])
def test_mean_prediction_refuses_bad_inputs(state: np.ndarray, action: np.ndarray,
                                            words: str) -> None:
    with pytest.raises(ValueError, match=words):
        PredictiveWorldModel(2, 1).predict_next_state(state, action)


def test_covariance_prediction_is_the_linear_gaussian_recursion() -> None:
    world = PredictiveWorldModel(2, 1, seed=2)
    state, cov = np.array([0.1, -0.2]), np.array([[0.3, 0.04], [0.04, 0.2]])
    mean, pred = world.predict_next_state_with_cov(state, cov, np.array([0.5]))
    assert np.array_equal(mean, world.predict_next_state(state, np.array([0.5])))
    a, q = world.model.A, world.model.Q
    np.testing.assert_allclose(pred, a @ cov @ a.T + q, rtol=1e-13)
    assert np.array_equal(pred, pred.T)


@pytest.mark.parametrize(("cov", "words"), [
    (np.eye(3), "current_cov must have shape"),
    (np.array([[1.0, 0.2], [0.0, 1.0]]), "symmetric"),
    (np.array([[1.0, 2.0], [2.0, 1.0]]), "positive semidefinite"),
    (np.array([[np.nan, 0.0], [0.0, 1.0]]), "finite"),
])
def test_covariance_prediction_refuses_bad_covariances(cov: np.ndarray, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        PredictiveWorldModel(2, 1).predict_next_state_with_cov(np.zeros(2), cov, np.zeros(1))


def test_forecasts_return_independent_arrays_one_per_action() -> None:
    world = PredictiveWorldModel(3, 1, seed=3)
    trajectory = world.forecast(np.zeros(3), [np.zeros(1), np.ones(1), np.full(1, 0.5)])
    assert isinstance(trajectory, list) and len(trajectory) == 3
    assert all(s.shape == (3,) for s in trajectory)
    x = np.zeros(3)
    for k, act in enumerate((0.0, 1.0, 0.5)):
        x = world.predict_next_state(x, act)
        assert np.array_equal(trajectory[k], x)
    second = trajectory[1].copy()
    trajectory[0][0] = 99.0
    assert np.array_equal(trajectory[1], second)
    assert world.forecast(np.zeros(3), []) == []
    pairs = PredictiveWorldModel(2, 0, seed=4).forecast_with_cov(np.zeros(2), np.eye(2),
                                                                 [np.zeros(0), np.zeros(0)])
    assert len(pairs) == 2 and pairs[0][0].shape == (2,) and pairs[0][1].shape == (2, 2)
    kept = pairs[1][1].copy()
    pairs[0][1][0, 0] = 99.0
    assert np.array_equal(pairs[1][1], kept)
    with pytest.raises(TypeError, match="actions must be a sequence"):
        world.forecast(np.zeros(3), 5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"actions\[1\] must have shape"):
        world.forecast(np.zeros(3), [0.0, [1.0, 2.0]])


def test_reset_restores_independent_prior_copies() -> None:
    world = PredictiveWorldModel(2, 0, seed=5)
    world.advance()
    assert world.reset() is None
    assert np.array_equal(world.state_mean, world.model.mu_0)
    assert np.array_equal(world.state_cov, world.model.Sigma_0)
    mean = world.state_mean
    mean[:] = 99.0
    assert not np.array_equal(world.state_mean, mean)


def test_world_model_model_can_be_replaced_by_a_learned_one() -> None:
    world = PredictiveWorldModel(2, 1, seed=6)
    truth = LinearGaussianSSM.random(2, 2, 1, seed=7)
    u = np.cos(np.arange(40.0))[:, None]
    _, y = truth.sample(40, u, seed=8)
    learned = pm.EMLearner(max_iter=3, tol=0.0).fit(y, world.model, u)
    world.model = learned
    assert world.model is learned
    with pytest.raises(ValueError, match="dimensions"):
        world.model = LinearGaussianSSM.random(3, 3, 1)
    with pytest.raises(TypeError, match="LinearGaussianSSM"):
        world.model = "model"  # type: ignore[assignment]


def test_world_model_belief_is_the_kalman_filter() -> None:
    world = PredictiveWorldModel(3, 1, seed=5, obs_dim=2)
    model = world.model
    assert (world.state_dim, world.action_dim, world.obs_dim) == (3, 1, 2)
    u = np.cos(np.arange(8.0))[:, None]
    _, y = model.sample(8, u, seed=2)
    fr = KalmanFilter(model).filter(y, u, backend="python")
    for t in range(8):
        assert np.array_equal(world.observe(y[t], u[t]), fr.means[t])
        assert np.array_equal(world.state_cov, fr.covariances[t])
        if t < 7:
            assert np.array_equal(world.advance(u[t]), fr.pred_means[t + 1])
            assert np.array_equal(world.state_cov, fr.pred_covariances[t + 1])
    world.reset()
    masked = np.ma.masked_array(y[0], mask=[True, False])
    world.observe(masked, u[0])  # only the observed entry is used
    part = KalmanFilter(model).filter(np.ma.masked_array(y[:1], mask=[[True, False]]), u[:1],
                                      backend="python")
    assert np.array_equal(world.state_mean, part.means[0])
    with pytest.raises(ValueError, match="observation must have shape"):
        world.observe([0.0])
    with pytest.raises(ValueError, match="observation must be finite"):
        world.observe([np.nan, 0.0])


def test_world_model_refuses_overflow() -> None:
    world = PredictiveWorldModel(1, 0)
    world.model = LinearGaussianSSM([[1e200]], None, [[1.0]], None, [[1.0]], [[1.0]], [0.0],
                                    [[1.0]])
    with pytest.raises(ValueError, match="^current_state: the prediction overflowed"):
        world.predict_next_state_with_cov([1.0], [[1e300]])
    with pytest.raises(ValueError, match=r"^actions\[1\]: the prediction overflowed"):
        world.forecast([1e100], [[], [], []])  # 1e300, then 1e500
    with pytest.raises(ValueError, match="^action: the prediction overflowed"):
        world.advance()
        world.advance()
    assert np.isfinite(world.state_cov).all()


def test_world_model_fit_replaces_the_model_and_resets() -> None:
    world = PredictiveWorldModel(2, 0, seed=3)
    _, y = LinearGaussianSSM.random(2, 2, 0, seed=9).sample(25, seed=1)
    world.advance()
    before = world.model
    lls = world.fit(y, max_iter=3, tol=0.0)
    assert lls.shape == (4,) and world.model is not before
    assert np.array_equal(world.state_mean, world.model.mu_0)
