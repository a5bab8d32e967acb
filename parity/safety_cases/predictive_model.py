"""Golden cases of :mod:`sc_neurocore.world_model.predictive_model`.

``parity/golden/predictive_model.txt`` checks the Python surface and the Rust
mirror ``rust/mirror/src/safety/predictive_model/`` against the same vectors.
A model is given by the inputs ``A, B, C, D, Q, R, mu_0, Sigma_0`` (``B`` and
``D`` of shape ``(n, 0)`` and ``(p, 0)`` without controls); ``controls`` is
present only when the case passes controls, ``mask`` (``u8``, 1 = missing,
the shape of ``observations``) only when some observations are masked (the
case then passes a ``numpy.ma.MaskedArray``; the values under the mask may be
NaN). Ops:

* ``LinearGaussianSSM``: the constructor -> ``state_dim``, ``obs_dim``,
  ``control_dim`` and the stored (symmetrised) ``Q_sym``, ``R_sym``,
  ``Sigma_0_sym``; its invalid cases cover every validation class, with
  cases on both sides of each tolerance (symmetry, PD, PSD);
* ``LinearGaussianSSM.random``: ``state_dim``, ``obs_dim``, ``control_dim``,
  ``seed`` -> ``A .. Sigma_0`` (normals: ``rtol``);
* ``LinearGaussianSSM.sample``: model, ``n_steps``, ``seed`` -> ``states``,
  ``observations`` (normals: ``rtol``);
* ``KalmanFilter.filter``: model, ``observations`` -> the :class:`FilterResult`
  fields (``log_likelihood`` within ``rtol``: libm ``log``; the rest bit for bit);
* ``RTSSmoother.smooth``: model, ``observations`` -> filter, then smoother:
  ``means``, ``covariances``, ``cross_covariances`` (bit for bit);
* ``RTSSmoother.smooth[filter_result]``: model and the :class:`FilterResult`
  fields as inputs -> the smoother's outputs;
* ``FilterResult``, ``SmoothResult``: the fields -> ``time_steps``,
  ``state_dim`` (the cases are mostly the constructors' refusals);
* ``EMLearner.step``: model, ``observations`` -> ``log_likelihood`` of the
  given model and the updated ``A_new, C_new, Q_new, R_new, mu_0_new,
  Sigma_0_new`` (bit for bit);
* ``EMLearner.fit``: the same plus ``max_iter``, ``tol`` ->
  ``log_likelihood_history`` and the final model's ``*_new``;
* ``PredictiveWorldModel.predict_next_state`` (``current_state``,
  ``action``), ``.predict_next_state_with_cov`` (``current_cov`` too),
  ``.forecast`` (``initial_state``, ``actions``: the sequence is the rows of a
  2-D array or the numbers of a 1-D one) and ``.forecast_with_cov``
  (``initial_cov`` too), on a world model whose ``model`` is the given one ->
  ``mean`` (and ``covariance``), or ``means`` (and ``covariances``).

Every input is the same on every CPU: the models named ``random(...)`` and
the observations and controls of the filter, smoother and EM cases are drawn
from SplitMix64 *uniforms* and built with correctly rounded operations in a
fixed order (:func:`_uniform_model`, :func:`_data`), never from normals
(``log``, ``cos``), ``sin`` or ``@`` (BLAS), whose last bits differ between
CPUs; a filter result given as inputs carries a fixed ``log_likelihood`` (its
computed one goes through ``log``). Every case runs on the ``"python"`` backend;
tests/safety/test_predictive_model_backends.py runs the LGSSM cases on ``"rust"`` too and
requires bit-identical outputs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sc_neurocore._validation import check_binary
from sc_neurocore.splitmix import SplitMix64
from sc_neurocore.world_model._linalg import matvec
from sc_neurocore.world_model.predictive_model import (
    EMLearner,
    FilterResult,
    KalmanFilter,
    LinearGaussianSSM,
    PredictiveWorldModel,
    RTSSmoother,
    SmoothResult,
)

from ..golden_format import GoldenFile
from ._builder import VALID, SafetyBuilder, add_case, arg, f64, i64, op_of, strs, u8, u64

__all__ = ["OPS", "LGSSM_OPS", "run_case", "build", "observations_of"]

OPS = ("LinearGaussianSSM", "LinearGaussianSSM.random", "LinearGaussianSSM.sample",
       "KalmanFilter.filter", "RTSSmoother.smooth", "RTSSmoother.smooth[filter_result]",
       "FilterResult", "SmoothResult", "EMLearner.step", "EMLearner.fit",
       "PredictiveWorldModel.predict_next_state",
       "PredictiveWorldModel.predict_next_state_with_cov", "PredictiveWorldModel.forecast",
       "PredictiveWorldModel.forecast_with_cov")
#: The ops whose outputs the ``"rust"`` backend must reproduce bit for bit.
LGSSM_OPS = ("KalmanFilter.filter", "RTSSmoother.smooth", "RTSSmoother.smooth[filter_result]",
             "EMLearner.fit")
MODEL_KEYS = ("A", "B", "C", "D", "Q", "R", "mu_0", "Sigma_0")
FILTER_KEYS = ("means", "covariances", "pred_means", "pred_covariances", "log_likelihood")
RTOL = 1e-12
#: Outputs drawn from normals or through ``log``: compared within RTOL.
RTOL_OUTPUTS = ("A", "B", "C", "D", "Q", "R", "mu_0", "Sigma_0", "states", "observations",
                "log_likelihood", "log_likelihood_history")


def model_of(inputs: Mapping[str, np.ndarray]) -> LinearGaussianSSM:
    """The case's model."""
    return LinearGaussianSSM(*(arg(inputs, k) for k in MODEL_KEYS))


def controls_of(inputs: Mapping[str, np.ndarray]) -> object:
    """The case's controls (``None`` when absent)."""
    return arg(inputs, "controls") if "controls" in inputs else None


def observations_of(inputs: Mapping[str, np.ndarray]) -> object:
    """The case's observations: a masked array when the case has a ``mask``."""
    obs = arg(inputs, "observations")
    if "mask" not in inputs:
        return obs
    mask = inputs["mask"]
    if mask.dtype != np.uint8:
        raise TypeError(f"mask must have dtype uint8, got {mask.dtype}")
    check_binary(mask, "mask")
    if mask.shape != np.shape(obs):
        raise ValueError(f"mask must have the shape of the observations {np.shape(obs)}, "
                         f"got {mask.shape}")
    return np.ma.masked_array(obs, mask=mask.astype(bool))


def filter_result_of(inputs: Mapping[str, np.ndarray]) -> FilterResult:
    """The case's :class:`FilterResult` fields as one."""
    return FilterResult(*(arg(inputs, k) for k in FILTER_KEYS))  # type: ignore[arg-type]


def _new_model(model: LinearGaussianSSM) -> dict[str, object]:
    return {"A_new": model.A, "C_new": model.C, "Q_new": model.Q, "R_new": model.R,
            "mu_0_new": model.mu_0, "Sigma_0_new": model.Sigma_0}


def _smoothed(sr: SmoothResult) -> dict[str, object]:
    return {"means": sr.means, "covariances": sr.covariances,
            "cross_covariances": sr.cross_covariances}


def _world(inputs: Mapping[str, np.ndarray]) -> PredictiveWorldModel:
    model = model_of(inputs)
    world = PredictiveWorldModel(model.state_dim, model.control_dim, 0, obs_dim=model.obs_dim)
    world.model = model
    return world


def _optional(inputs: Mapping[str, np.ndarray], name: str) -> object:
    return arg(inputs, name) if name in inputs else None


def _run_world(op: str, inputs: Mapping[str, np.ndarray]) -> Mapping[str, object]:
    world = _world(inputs)
    if op == "PredictiveWorldModel.predict_next_state":
        return {"mean": world.predict_next_state(arg(inputs, "current_state"),
                                                 _optional(inputs, "action"))}
    if op == "PredictiveWorldModel.predict_next_state_with_cov":
        mean, cov = world.predict_next_state_with_cov(arg(inputs, "current_state"),
                                                      arg(inputs, "current_cov"),
                                                      _optional(inputs, "action"))
        return {"mean": mean, "covariance": cov}
    actions = inputs["actions"]
    n = world.state_dim
    if op == "PredictiveWorldModel.forecast":
        means = world.forecast(arg(inputs, "initial_state"), actions)  # type: ignore[arg-type]
        return {"means": np.array(means).reshape(len(means), n)}
    pairs = world.forecast_with_cov(arg(inputs, "initial_state"), arg(inputs, "initial_cov"),
                                    actions)  # type: ignore[arg-type]
    return {"means": np.array([m for m, _ in pairs]).reshape(len(pairs), n),
            "covariances": np.array([c for _, c in pairs]).reshape(len(pairs), n, n)}


def run_case(inputs: dict[str, np.ndarray]) -> Mapping[str, object]:
    """One case through :mod:`sc_neurocore.world_model.predictive_model`."""
    op = op_of(inputs)
    if op == "LinearGaussianSSM":
        model = model_of(inputs)
        return {"state_dim": model.state_dim, "obs_dim": model.obs_dim,
                "control_dim": model.control_dim, "Q_sym": model.Q, "R_sym": model.R,
                "Sigma_0_sym": model.Sigma_0}
    if op == "LinearGaussianSSM.random":
        model = LinearGaussianSSM.random(arg(inputs, "state_dim"),  # type: ignore[arg-type]
                                         arg(inputs, "obs_dim"),  # type: ignore[arg-type]
                                         arg(inputs, "control_dim"),  # type: ignore[arg-type]
                                         arg(inputs, "seed"))  # type: ignore[arg-type]
        return {k: getattr(model, k) for k in MODEL_KEYS}
    if op == "LinearGaussianSSM.sample":
        states, obs = model_of(inputs).sample(arg(inputs, "n_steps"),  # type: ignore[arg-type]
                                              controls_of(inputs),
                                              arg(inputs, "seed"))  # type: ignore[arg-type]
        return {"states": states, "observations": obs}
    if op == "KalmanFilter.filter":
        fr = KalmanFilter(model_of(inputs)).filter(observations_of(inputs), controls_of(inputs),
                                                   backend="python")
        return {k: getattr(fr, k) for k in FILTER_KEYS}
    if op == "RTSSmoother.smooth":
        model = model_of(inputs)
        fr = KalmanFilter(model).filter(observations_of(inputs), controls_of(inputs),
                                        backend="python")
        return _smoothed(RTSSmoother(model).smooth(fr, backend="python"))
    if op == "RTSSmoother.smooth[filter_result]":
        model = model_of(inputs)
        return _smoothed(RTSSmoother(model).smooth(filter_result_of(inputs), backend="python"))
    if op == "FilterResult":
        fr = filter_result_of(inputs)
        return {"time_steps": fr.time_steps, "state_dim": fr.state_dim}
    if op == "SmoothResult":
        sr = SmoothResult(arg(inputs, "means"), arg(inputs, "covariances"),  # type: ignore[arg-type]
                          arg(inputs, "cross_covariances"))  # type: ignore[arg-type]
        return {"time_steps": sr.time_steps, "state_dim": sr.state_dim}
    if op == "EMLearner.step":
        new, loglik = EMLearner().step(observations_of(inputs), model_of(inputs),
                                       controls_of(inputs))
        return {"log_likelihood": loglik, **_new_model(new)}
    if op == "EMLearner.fit":
        learner = EMLearner(arg(inputs, "max_iter"), arg(inputs, "tol"))  # type: ignore[arg-type]
        fitted = learner.fit(observations_of(inputs), model_of(inputs), controls_of(inputs),
                             backend="python")
        return {"log_likelihood_history": np.array(learner.log_likelihood_history),
                **_new_model(fitted)}
    if op.startswith("PredictiveWorldModel.") and op in OPS:
        return _run_world(op, inputs)
    raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")


# ------------------------------------------------------------------ case data

def _params(model: LinearGaussianSSM) -> dict[str, object]:
    return {k: np.array(getattr(model, k)) for k in MODEL_KEYS}


def _hand(A: object, C: object, Q: object, R: object, mu_0: object, Sigma_0: object,
          B: object = None, D: object = None) -> LinearGaussianSSM:
    return LinearGaussianSSM(f64(A), None if B is None else f64(B), f64(C),
                             None if D is None else f64(D), f64(Q), f64(R), f64(mu_0),
                             f64(Sigma_0))


def _uniforms(gen: SplitMix64, shape: tuple[int, ...], scale: float = 1.0) -> np.ndarray:
    """Values in ``[-scale, scale)`` from SplitMix64 uniforms (exact on every CPU)."""
    count = int(np.prod(shape, dtype=np.int64))
    return f64(scale * (2.0 * gen.uniforms(count) - 1.0)).reshape(shape)


def _diagonally_dominant(gen: SplitMix64, dim: int, scale: float) -> np.ndarray:
    """A symmetric positive-definite matrix: diagonal in ``[scale, 2 scale)``,
    off-diagonal values below ``scale / (2 dim)`` in magnitude (Gershgorin)."""
    off = np.triu(_uniforms(gen, (dim, dim), scale / (2.0 * dim)), 1)
    mat = off + off.T
    mat[np.diag_indices(dim)] = scale * (1.0 + gen.uniforms(dim))
    return mat


def _uniform_model(n: int, p: int, m: int, seed: int) -> LinearGaussianSSM:
    """A stable random model drawn from ``SplitMix64(seed)`` uniforms.

    Only correctly rounded operations, so the golden inputs made from it are
    the same on every CPU (:meth:`LinearGaussianSSM.random` draws normals
    through ``log`` and ``cos``; its own cases compare its outputs within
    ``rtol``). Every ``|A[i, j]| < 0.9 / n``, so ``A``'s infinity norm (a
    bound on every eigenvalue's modulus) is below 0.9; ``D`` is zero.
    """
    gen = SplitMix64(seed)
    a = _uniforms(gen, (n, n), 0.9 / n)
    b = _uniforms(gen, (n, m))
    c = _uniforms(gen, (p, n))
    q = _diagonally_dominant(gen, n, 0.1)
    r = _diagonally_dominant(gen, p, 0.1)
    mu = _uniforms(gen, (n,))
    return LinearGaussianSSM(a, b, c, np.zeros((p, m)), q, r, mu,
                             _diagonally_dominant(gen, n, 1.0))


def _models() -> dict[str, tuple[LinearGaussianSSM, int]]:
    """Named models for the filter, smoother and EM cases, with their sequence length T."""
    return {
        "1-D AR(1) hand-built": (_hand([[0.95]], [[1.0]], [[0.1]], [[0.5]], [0.0], [[1.0]]),
                                 30),
        "random(2, 1)": (_uniform_model(2, 1, 0, seed=1), 25),
        "random(3, 2, 1) with controls": (_uniform_model(3, 2, 1, seed=2), 30),
        "random(4, 3, 2) with controls": (_uniform_model(4, 3, 2, seed=3), 20),
        "random(2, 3), more observations than states": (
            _uniform_model(2, 3, 0, seed=4), 24),
        "constant-velocity tracker, unstable A, hand-built": (
            _hand([[1.0, 1.0], [0.0, 1.0]], [[1.0, 0.0]], [[0.25, 0.5], [0.5, 1.0]],
                  [[2.0]], [0.0, 1.0], [[10.0, 0.0], [0.0, 10.0]]), 30),
        "hand-built with B and D (feed-through) controls": (
            _hand([[0.8, 0.1], [-0.2, 0.7]], [[1.0, 0.5], [0.0, 1.0]],
                  [[0.2, 0.05], [0.05, 0.1]], [[0.3, 0.1], [0.1, 0.4]], [1.0, -1.0],
                  [[0.5, 0.1], [0.1, 0.5]], B=[[1.0, 0.0], [0.5, -1.0]],
                  D=[[0.2, 0.0], [0.0, -0.3]]), 20),
        "hand-built singular Q = diag(1, 0)": (
            _hand([[0.9, 0.3], [0.0, 0.8]], [[1.0, 1.0]], [[1.0, 0.0], [0.0, 0.0]], [[0.2]],
                  [0.5, 0.5], [[1.0, 0.2], [0.2, 1.0]]), 15),
    }


def _data(model: LinearGaussianSSM, steps: int, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Observations ``(T, p)`` and controls ``(T, m)`` (``None`` when ``m = 0``).

    Simulated from ``SplitMix64(seed)`` uniforms: controls in ``[-1, 1)``,
    then for each step ``y = C x + D u + v`` and ``x' = A x + B u + w`` with
    noise ``v`` in ``[-0.5, 0.5)`` and ``w`` in ``[-0.3, 0.3)``, starting at
    ``mu_0``. Each product ``M x`` is ``_linalg.matvec`` (sums in index
    order; no ``@``, whose order of summation depends on the CPU), so the data
    is the same on every CPU.
    """
    gen = SplitMix64(seed)
    n, p, m = model.state_dim, model.obs_dim, model.control_dim
    controls = _uniforms(gen, (steps, m)) if m else None
    obs = np.zeros((steps, p), dtype=np.float64)
    x = np.array(model.mu_0, dtype=np.float64)
    for t in range(steps):
        u = controls[t] if controls is not None else np.zeros(0)
        obs[t] = (matvec(model.C, x) + matvec(model.D, u)) + _uniforms(gen, (p,), 0.5)
        x = (matvec(model.A, x) + matvec(model.B, u)) + _uniforms(gen, (n,), 0.3)
    return obs, controls


def _with_data(params: dict[str, object], obs: np.ndarray,
               controls: np.ndarray | None) -> dict[str, object]:
    out = dict(params, observations=obs)
    if controls is not None:
        out["controls"] = controls
    return out


def _masked(inputs: dict[str, object], mask: np.ndarray) -> dict[str, object]:
    """``inputs`` with ``mask`` and NaN under it (never read)."""
    obs = np.array(inputs["observations"], dtype=np.float64)
    obs[mask.astype(bool)] = np.nan
    return dict(inputs, observations=obs, mask=u8(mask))


def _filter_fields(model: LinearGaussianSSM, inputs: Mapping[str, object]) -> dict[str, object]:
    fr = KalmanFilter(model).filter(np.asarray(inputs["observations"]),
                                    inputs.get("controls"), backend="python")
    # The smoother does not read log_likelihood; a fixed value keeps the inputs exact.
    return {"means": fr.means, "covariances": fr.covariances, "pred_means": fr.pred_means,
            "pred_covariances": fr.pred_covariances, "log_likelihood": f64(-100.0)}


# ------------------------------------------------------------------ the file

def _model_cases(b: SafetyBuilder) -> None:
    base = _params(_models()["hand-built with B and D (feed-through) controls"][0])

    def model_case(comment: str, flags: str | None, **changes: object) -> None:
        add_case(b, comment, flags, "LinearGaussianSSM", **dict(base, **changes))

    def diag_1(v: float) -> np.ndarray:
        """``diag(1, v)``: a 2x2 covariance whose second pivot and eigenvalue are ``v``."""
        return f64([[1.0, 0.0], [0.0, v]])

    def skewed_sigma_0(eps: float) -> np.ndarray:
        """A 2x2 ``Sigma_0`` whose lower off-diagonal entry is ``eps`` above the upper."""
        return f64([[2.0, 0.5], [0.5 + eps, 1.0]])

    model_case("hand-built model with B and D", VALID)
    model_case("no controls: B (2, 0) and D (2, 0)", VALID, B=f64(np.zeros((2, 0))),
               D=f64(np.zeros((2, 0))))
    # Each tolerance from both sides, the accepted case first: first far from
    # the bound, then within 10 % of it ("Boundary"), so that changing a
    # tolerance by more fails a case. Per tolerance: the argument, its maker,
    # the refusal's flags, then (comment, value) far accepted, far refused,
    # near accepted, near refused.
    tolerances = (
        ("Sigma_0", skewed_sigma_0, "NotSymmetric",
         ("Sigma_0 asymmetric by 1e-10 <= 1e-10 * max|Sigma_0| (2e-10): symmetrised", 1e-10),
         ("Sigma_0 asymmetric by 4e-10 > 1e-10 * max|Sigma_0| (2e-10)", 4e-10),
         ("Sigma_0 asymmetric by 1.8e-10, 0.9 x the 2e-10 tolerance", 1.8e-10),
         ("Sigma_0 asymmetric by 2.2e-10, 1.1 x the 2e-10 tolerance", 2.2e-10)),
        ("R", diag_1, "NotPositiveDefinite",
         ("R pivot 2e-12 above 1e-12 * max diag", 2e-12),
         ("R pivot 5e-13 not above 1e-12 * max diag", 5e-13),
         ("R pivot 1.1e-12, 1.1 x the 1e-12 threshold", 1.1e-12),
         ("R pivot 0.9e-12, 0.9 x the 1e-12 threshold", 0.9e-12)),
        ("Q", diag_1, "NotPositiveDefinite",
         ("Q eigenvalue -5e-11 above -1e-10 * max diag: PSD within tolerance", -5e-11),
         ("Q eigenvalue -2e-10 below -1e-10 * max diag: not PSD", -2e-10),
         ("Q eigenvalue -0.9e-10, 0.9 x the -1e-10 bound", -0.9e-10),
         ("Q eigenvalue -1.1e-10, 1.1 x the -1e-10 bound", -1.1e-10)),
    )
    for near, flags in ((0, ""), (2, " Boundary")):
        for name, make, refused, *sides in tolerances:
            (ok, ok_value), (bad, bad_value) = sides[near:near + 2]
            model_case(ok, VALID, **{name: make(ok_value)})
            model_case(bad, refused + flags, **{name: make(bad_value)})
    model_case("Q exactly zero is PSD", VALID, Q=f64(np.zeros((2, 2))))
    model_case("Q rank one v v^T is PSD", VALID, Q=f64([[1.0, 1.0], [1.0, 1.0]]))
    model_case("Q asymmetric off-diagonals averaged", VALID,
               Q=f64([[0.3, 0.1 + 1e-12], [0.1 - 1e-12, 0.2]]))
    model_case("1x1 model", VALID, A=f64([[0.5]]), B=f64(np.zeros((1, 0))), C=f64([[2.0]]),
               D=f64(np.zeros((1, 0))), Q=f64([[0.1]]), R=f64([[0.2]]), mu_0=f64([3.0]),
               Sigma_0=f64([[4.0]]))
    nan_a = np.array(base["A"], dtype=np.float64)
    nan_a[1, 0] = np.nan
    model_case("A holds NaN", "NonFinite", A=f64(nan_a))
    model_case("Q holds +inf", "NonFinite", Q=f64([[np.inf, 0.0], [0.0, 1.0]]))
    model_case("mu_0 holds -inf", "NonFinite", mu_0=f64([0.0, -np.inf]))
    model_case("B holds NaN", "NonFinite", B=f64([[np.nan, 0.0], [0.0, 1.0]]))
    model_case("A not square (2, 3)", "WrongShape", A=f64(np.zeros((2, 3))))
    model_case("A 1-D", "WrongRank", A=f64([0.5, 0.5]))
    model_case("A empty (0, 0): state_dim must be >= 1", "Empty", A=f64(np.zeros((0, 0))))
    model_case("B has 3 rows for n = 2", "WrongShape", B=f64(np.zeros((3, 2))))
    model_case("C has 3 columns for n = 2", "WrongShape", C=f64(np.zeros((2, 3))))
    model_case("C has no rows: obs_dim must be >= 1", "Empty", C=f64(np.zeros((0, 2))))
    model_case("D (2, 1) for m = 2", "WrongShape", D=f64(np.zeros((2, 1))))
    model_case("Q (3, 3) for n = 2", "WrongShape", Q=f64(np.eye(3)))
    model_case("R (1, 1) for p = 2", "WrongShape", R=f64([[1.0]]))
    model_case("mu_0 has 3 values for n = 2", "WrongShape", mu_0=f64([0.0, 0.0, 0.0]))
    model_case("Sigma_0 (2, 1)", "WrongShape", Sigma_0=f64([[1.0], [1.0]]))
    model_case("Q asymmetric beyond tolerance", "NotSymmetric", Q=f64([[0.3, 0.1], [0.0, 0.2]]))
    model_case("R asymmetric beyond tolerance", "NotSymmetric", R=f64([[1.0, 0.5], [0.4, 1.0]]))
    model_case("Q indefinite (eigenvalues 3 and -1)", "NotPositiveDefinite",
               Q=f64([[1.0, 2.0], [2.0, 1.0]]))
    model_case("Q zero diagonal with non-zero off-diagonal", "NotPositiveDefinite",
               Q=f64([[0.0, 1.0], [1.0, 0.0]]))
    model_case("R PSD but singular", "NotPositiveDefinite", R=f64([[1.0, 1.0], [1.0, 1.0]]))
    model_case("R zero", "NotPositiveDefinite", R=f64(np.zeros((2, 2))))
    model_case("Q entries near the largest double: symmetrising overflows", "Overflow",
               Q=f64([[1.7e308, 0.0], [0.0, 1.0]]))
    model_case("Sigma_0 negative definite", "NotPositiveDefinite",
               Sigma_0=f64([[-1.0, 0.0], [0.0, -1.0]]))
    model_case("A given as strings", "WrongType", A=strs([["a", "b"], ["c", "d"]]))


def _random_cases(b: SafetyBuilder) -> None:
    for n, p, m, seed in ((1, 1, 0, 42), (2, 1, 0, 0), (3, 2, 1, 7), (4, 3, 2, 2**64 - 1),
                          (2, 3, 0, 123), (1, 2, 3, 5), (5, 2, 0, 9), (6, 1, 1, 31)):
        b.valid(f"random({n}, {p}, {m}, seed={seed})", "LinearGaussianSSM.random",
                state_dim=i64(n), obs_dim=i64(p), control_dim=i64(m), seed=u64(seed))

    def random_case(comment: str, flags: str, **changes: object) -> None:
        inputs: dict[str, object] = dict(state_dim=i64(2), obs_dim=i64(2), control_dim=i64(0),
                                         seed=u64(1))
        inputs.update(changes)
        b.invalid(comment, flags, "LinearGaussianSSM.random", **inputs)

    random_case("state_dim 0", "OutOfRange", state_dim=i64(0))
    random_case("obs_dim 0", "OutOfRange", obs_dim=i64(0))
    random_case("control_dim -1", "OutOfRange", control_dim=i64(-1))
    random_case("negative seed", "OutOfRange BadSeed", seed=i64(-1))
    random_case("state_dim as a float", "WrongType", state_dim=f64(2.0))


def _sample_cases(b: SafetyBuilder, models: dict[str, tuple[LinearGaussianSSM, int]]) -> None:
    for name in ("1-D AR(1) hand-built", "random(3, 2, 1) with controls",
                 "hand-built singular Q = diag(1, 0)"):
        model, _ = models[name]
        controls = _data(model, 12, 0)[1]
        inputs = dict(_params(model), n_steps=i64(12), seed=u64(2024))
        if controls is not None:
            inputs["controls"] = controls
        b.valid(f"sample 12 steps of {name}", "LinearGaussianSSM.sample", **inputs)
    tiny = _hand([[0.9, 0.3], [0.0, 0.8]], [[1.0, 1.0]], [[1.0, 0.0], [0.0, 5e-11]], [[0.2]],
                 [0.5, 0.5], [[1.0, 0.2], [0.2, 1.0]])
    b.valid("sample with a Q pivot 5e-11 <= 1e-10 * max diag: that noise column is zero",
            "LinearGaussianSSM.sample", **_params(tiny), n_steps=i64(6), seed=u64(77))
    ar1 = _params(models["1-D AR(1) hand-built"][0])
    b.invalid("sample n_steps 0", "OutOfRange",
              "LinearGaussianSSM.sample", **ar1, n_steps=i64(0), seed=u64(1))
    b.invalid("sample negative seed", "OutOfRange BadSeed",
              "LinearGaussianSSM.sample", **ar1, n_steps=i64(3),
              seed=i64(-5))


def _filter_cases(b: SafetyBuilder, models: dict[str, tuple[LinearGaussianSSM, int]]
                  ) -> dict[str, dict[str, object]]:
    data: dict[str, dict[str, object]] = {}
    for k, (name, (model, steps)) in enumerate(models.items()):
        obs, controls = _data(model, steps, 100 + k)
        data[name] = _with_data(_params(model), obs, controls)
        b.valid(f"filter {name}, T = {steps}", "KalmanFilter.filter", **data[name])
        b.valid(f"smoother {name}, T = {steps}", "RTSSmoother.smooth", **data[name])
    one_d = dict(data["1-D AR(1) hand-built"])
    one_d["observations"] = np.ascontiguousarray(np.asarray(one_d["observations"])[:, 0])
    b.valid("filter with 1-D observations (T,) for obs_dim 1", "KalmanFilter.filter", **one_d)
    ctrl1 = dict(data["random(3, 2, 1) with controls"])
    ctrl1["controls"] = np.ascontiguousarray(np.asarray(ctrl1["controls"])[:, 0])
    b.valid("filter with 1-D controls (T,) for control_dim 1", "KalmanFilter.filter", **ctrl1)
    first = dict(data["random(4, 3, 2) with controls"])
    first["observations"] = np.asarray(first["observations"])[:1].copy()
    first["controls"] = np.asarray(first["controls"])[:1].copy()
    b.valid("filter a single step T = 1", "KalmanFilter.filter", **first)
    b.valid("smoother a single step T = 1 (no cross-covariances)", "RTSSmoother.smooth",
            **first)

    good = data["random(3, 2, 1) with controls"]

    def filter_case(comment: str, flags: str, op: str = "KalmanFilter.filter",
                    **changes: object) -> None:
        b.invalid(comment, flags, op, **dict(good, **changes))

    obs_nan = np.array(good["observations"], dtype=np.float64)
    obs_nan[4, 1] = np.nan
    filter_case("observations hold NaN", "NonFinite", observations=f64(obs_nan))
    filter_case("observations with 3 columns for obs_dim 2", "WrongShape",
                observations=f64(np.zeros((30, 3))))
    filter_case("observations with no time step", "Empty", observations=f64(np.zeros((0, 2))),
                controls=f64(np.zeros((0, 1))))
    filter_case("observations 3-D", "WrongRank", observations=f64(np.zeros((30, 2, 1))))
    filter_case("controls with 29 rows for T = 30", "WrongShape", controls=f64(np.zeros((29, 1))))
    filter_case("controls with 2 columns for control_dim 1", "WrongShape",
                controls=f64(np.zeros((30, 2))))
    ctl_inf = np.array(good["controls"], dtype=np.float64)
    ctl_inf[3, 0] = np.inf
    filter_case("controls hold +inf", "NonFinite", controls=f64(ctl_inf))
    filter_case("smoother: observations hold NaN", "NonFinite", "RTSSmoother.smooth",
                observations=f64(obs_nan))
    filter_case("smoother: R not positive definite", "NotPositiveDefinite", "RTSSmoother.smooth",
                R=f64(np.zeros((2, 2))))
    no_ctl = data["random(2, 1)"]
    b.invalid("controls (T, 1) for a model without controls", "WrongShape", "KalmanFilter.filter",
              **dict(no_ctl, controls=f64(np.zeros((25, 1)))))
    return data


def _masked_cases(b: SafetyBuilder, data: dict[str, dict[str, object]]) -> None:
    """Masked observations: missing values, the update skipped for masked entries."""
    two = data["random(3, 2, 1) with controls"]
    steps = np.asarray(two["observations"]).shape[0]
    partial = np.zeros((steps, 2), dtype=np.uint8)
    partial[3, 0] = partial[7, 1] = partial[8, 0] = 1
    partial[12] = partial[13] = 1
    for op in ("KalmanFilter.filter", "RTSSmoother.smooth"):
        b.valid(f"{op}: entries masked in steps 3, 7, 8 (partly) and 12, 13 (fully); NaN "
                "under the mask", op, **_masked(two, partial))
    rows = np.zeros((steps, 2), dtype=np.uint8)
    rows[[0, 5, 6, 29]] = 1
    b.valid("filter with whole steps 0, 5, 6 and the last masked", "KalmanFilter.filter",
            **_masked(two, rows))
    ar1 = data["1-D AR(1) hand-built"]
    one = np.zeros((30, 1), dtype=np.uint8)
    one[10:20] = 1
    b.valid("AR(1) with 10 steps in a row masked", "KalmanFilter.filter", **_masked(ar1, one))
    b.valid("every observation masked: the prior propagated, log-likelihood 0",
            "KalmanFilter.filter", **_masked(ar1, np.ones((30, 1), dtype=np.uint8)))
    b.valid("an all-zero mask is no mask", "KalmanFilter.filter",
            **dict(ar1, mask=u8(np.zeros((30, 1), dtype=np.uint8))))
    one_d = dict(ar1, observations=np.ascontiguousarray(np.asarray(ar1["observations"])[:, 0]))
    b.valid("1-D observations with a 1-D mask", "KalmanFilter.filter",
            **_masked(one_d, one[:, 0]))
    b.invalid("mask of another shape", "WrongShape", "KalmanFilter.filter",
              **dict(two, mask=u8(np.zeros((steps, 1), dtype=np.uint8))))
    b.invalid("mask holding 2", "NotBinary", "KalmanFilter.filter",
              **dict(two, mask=u8(np.full((steps, 2), 2, dtype=np.uint8))))
    unmasked_nan = _masked(two, partial)
    bad = np.array(unmasked_nan["observations"])
    bad[1, 1] = np.nan
    b.invalid("NaN in an observed (unmasked) entry", "NonFinite", "KalmanFilter.filter",
              **dict(unmasked_nan, observations=f64(bad)))


def _result_cases(b: SafetyBuilder, models: dict[str, tuple[LinearGaussianSSM, int]],
                  data: dict[str, dict[str, object]]) -> None:
    """The validated results, and the smoother on a given filter result."""
    model, _ = models["random(3, 2, 1) with controls"]
    fields = _filter_fields(model, data["random(3, 2, 1) with controls"])
    b.valid("smoother on a filter result given as inputs", "RTSSmoother.smooth[filter_result]",
            **_params(model), **fields)
    b.valid("FilterResult of the filter's own fields", "FilterResult", **fields)
    eye = np.repeat(np.eye(2)[None], 2, axis=0)
    plain = dict(means=f64(np.zeros((2, 2))), covariances=f64(eye),
                 pred_means=f64(np.zeros((2, 2))), pred_covariances=f64(eye),
                 log_likelihood=f64(-1.0))

    def result_case(comment: str, flags: str | None, **changes: object) -> None:
        add_case(b, comment, flags, "FilterResult", **dict(plain, **changes))

    result_case("FilterResult with zero covariances (PSD)", VALID,
                covariances=f64(np.zeros((2, 2, 2))))
    result_case("FilterResult covariance eigenvalue -5e-11 within PSD tolerance", VALID,
                covariances=f64(np.repeat(np.diag([1.0, -5e-11])[None], 2, axis=0)))
    result_case("FilterResult covariance eigenvalue -2e-10 beyond PSD tolerance",
                "NotPositiveDefinite",
                covariances=f64(np.repeat(np.diag([1.0, -2e-10])[None], 2, axis=0)))
    result_case("FilterResult pred_means with 3 steps for 2", "WrongShape",
                pred_means=f64(np.zeros((3, 2))))
    result_case("FilterResult covariances (2, 1, 1) for n = 2", "WrongShape",
                covariances=f64(np.ones((2, 1, 1))))
    result_case("FilterResult pred_covariances indefinite", "NotPositiveDefinite",
                pred_covariances=f64(np.repeat(np.diag([1.0, -1.0])[None], 2, axis=0)))
    result_case("FilterResult covariances asymmetric", "NotSymmetric",
                covariances=f64(np.repeat(np.array([[[1.0, 0.3], [0.0, 1.0]]]), 2, axis=0)))
    result_case("FilterResult empty time axis", "Empty", means=f64(np.zeros((0, 2))),
                covariances=f64(np.zeros((0, 2, 2))), pred_means=f64(np.zeros((0, 2))),
                pred_covariances=f64(np.zeros((0, 2, 2))))
    result_case("FilterResult infinite log_likelihood", "NonFinite", log_likelihood=f64(np.inf))
    result_case("FilterResult means 1-D", "WrongRank", means=f64(np.zeros(2)))
    result_case("FilterResult means hold NaN", "NonFinite", means=f64([[0.0, np.nan], [0.0, 0.0]]))
    smooth = dict(means=f64(np.zeros((3, 2))), covariances=f64(np.repeat(np.eye(2)[None], 3, 0)),
                  cross_covariances=f64(np.zeros((2, 2, 2))))
    b.valid("SmoothResult of three steps", "SmoothResult", **smooth)
    b.valid("SmoothResult of one step: no cross-covariances", "SmoothResult",
            means=f64(np.zeros((1, 2))), covariances=f64(np.eye(2)[None]),
            cross_covariances=f64(np.zeros((0, 2, 2))))
    b.invalid("SmoothResult cross_covariances with 3 steps for T = 3", "WrongShape", "SmoothResult",
              **dict(smooth, cross_covariances=f64(np.zeros((3, 2, 2)))))
    b.invalid("SmoothResult covariances not PSD", "NotPositiveDefinite", "SmoothResult",
              **dict(smooth, covariances=f64(np.repeat(np.diag([1.0, -1.0])[None], 3, 0))))
    b.invalid("SmoothResult cross_covariances hold inf", "NonFinite", "SmoothResult",
              **dict(smooth, cross_covariances=f64(np.full((2, 2, 2), np.inf))))
    scalar = _params(_hand([[0.9]], [[1.0]], [[0.1]], [[0.5]], [0.0], [[1.0]]))
    singular = dict(means=f64(np.zeros((2, 1))), covariances=f64(np.ones((2, 1, 1))),
                    pred_means=f64(np.zeros((2, 1))), pred_covariances=f64([[[1.0]], [[0.0]]]),
                    log_likelihood=f64(-1.0))
    b.invalid("smoother: predicted covariance 0 is singular (LinAlgError)", "NotPositiveDefinite",
              "RTSSmoother.smooth[filter_result]", **scalar, **singular)
    b.invalid("smoother: filter result of state dimension 2 for a 1-state model", "WrongShape",
              "RTSSmoother.smooth[filter_result]", **scalar, **plain)


def _em_cases(b: SafetyBuilder, models: dict[str, tuple[LinearGaussianSSM, int]],
              data: dict[str, dict[str, object]]) -> None:
    starts = {
        "1-D AR(1) hand-built": _hand([[0.5]], [[0.7]], [[0.3]], [[1.0]], [1.0], [[2.0]]),
        "random(2, 1)": _uniform_model(2, 1, 0, seed=11),
        "random(3, 2, 1) with controls": _uniform_model(3, 2, 1, seed=12),
        "random(4, 3, 2) with controls": _uniform_model(4, 3, 2, seed=13),
        "random(2, 3), more observations than states": _uniform_model(2, 3, 0, seed=14),
        "hand-built with B and D (feed-through) controls": models[
            "hand-built with B and D (feed-through) controls"][0].replace(
                A=f64([[0.5, 0.0], [0.0, 0.5]]), Q=f64(np.eye(2))),
    }
    for name, start in starts.items():
        b.valid(f"EM step on {name}", "EMLearner.step", **dict(data[name], **_params(start)))
    em_good = dict(data["random(3, 2, 1) with controls"],
                   **_params(starts["random(3, 2, 1) with controls"]))
    for name in ("1-D AR(1) hand-built", "random(3, 2, 1) with controls"):
        inputs = dict(data[name], **_params(starts[name]))
        b.valid(f"EM fit on {name}: max_iter 4, tol 0", "EMLearner.fit", **inputs,
                max_iter=i64(4), tol=f64(0.0))
    b.valid("EM fit stops after one iteration when tol is large", "EMLearner.fit", **em_good,
            max_iter=i64(10), tol=f64(1e6))
    steps = np.asarray(em_good["observations"]).shape[0]
    rows = np.zeros((steps, 2), dtype=np.uint8)
    rows[[2, 9, 10, 20]] = 1
    b.valid("EM step with whole steps 2, 9, 10, 20 masked (C, R from the others)",
            "EMLearner.step", **_masked(em_good, rows))
    b.valid("EM fit with whole steps masked: max_iter 3, tol 0", "EMLearner.fit",
            **_masked(em_good, rows), max_iter=i64(3), tol=f64(0.0))
    partial = rows.copy()
    partial[4, 1] = 1
    b.invalid("EM step with a partly masked step 4", "Unsupported", "EMLearner.step",
              **_masked(em_good, partial))
    two = dict(em_good)
    two["observations"] = np.asarray(two["observations"])[:2].copy()
    two["controls"] = np.asarray(two["controls"])[:2].copy()
    b.valid("EM step on the shortest sequence T = 2", "EMLearner.step", **two)
    one = dict(em_good)
    one["observations"] = np.asarray(one["observations"])[:1].copy()
    one["controls"] = np.asarray(one["controls"])[:1].copy()
    b.invalid("EM step needs T >= 2", "WrongShape", "EMLearner.step", **one)
    b.invalid("EM fit max_iter 0", "OutOfRange",
              "EMLearner.fit", **em_good, max_iter=i64(0), tol=f64(0.0))
    b.invalid("EM fit negative tol", "OutOfRange",
              "EMLearner.fit", **em_good, max_iter=i64(3), tol=f64(-1.0))
    b.invalid("EM fit NaN tol", "NonFinite",
              "EMLearner.fit", **em_good, max_iter=i64(3), tol=f64(np.nan))
    b.invalid("EM fit max_iter as a float", "WrongType",
              "EMLearner.fit", **em_good, max_iter=f64(3.0),
              tol=f64(0.0))


def _world_cases(b: SafetyBuilder, models: dict[str, tuple[LinearGaussianSSM, int]]) -> None:
    ctl = _params(models["hand-built with B and D (feed-through) controls"][0])
    one = _params(models["random(3, 2, 1) with controls"][0])
    none = _params(models["random(2, 1)"][0])
    state2, cov2 = f64([0.3, -0.2]), f64([[0.4, 0.1], [0.1, 0.3]])
    b.valid("predict_next_state with an action", "PredictiveWorldModel.predict_next_state",
            **ctl, current_state=state2, action=f64([0.5, -1.0]))
    b.valid("predict_next_state without an action (zeros)",
            "PredictiveWorldModel.predict_next_state", **ctl, current_state=state2)
    b.valid("predict_next_state with a scalar action for action_dim 1",
            "PredictiveWorldModel.predict_next_state", **one, current_state=f64([1.0, 0.0, -1.0]),
            action=f64(0.5))
    b.valid("predict_next_state_with_cov", "PredictiveWorldModel.predict_next_state_with_cov",
            **ctl, current_state=state2, current_cov=cov2, action=f64([0.5, -1.0]))
    b.valid("forecast three actions", "PredictiveWorldModel.forecast", **ctl,
            initial_state=state2, actions=f64([[0.0, 0.0], [1.0, 0.5], [-0.5, 0.25]]))
    b.valid("forecast with scalar actions for action_dim 1", "PredictiveWorldModel.forecast",
            **one, initial_state=f64([0.0, 1.0, 0.0]), actions=f64([0.5, 1.0, -1.0, 0.0]))
    b.valid("forecast_with_cov, no controls: actions (4, 0)",
            "PredictiveWorldModel.forecast_with_cov", **none, initial_state=f64([0.1, 0.2]),
            initial_cov=f64(np.eye(2)), actions=f64(np.zeros((4, 0))))
    b.valid("forecast_with_cov with actions", "PredictiveWorldModel.forecast_with_cov", **ctl,
            initial_state=state2, initial_cov=cov2,
            actions=f64([[0.0, 0.0], [1.0, 0.5], [-0.5, 0.25]]))
    b.invalid("predict_next_state: current_state of 3 values for state_dim 2", "WrongShape",
              "PredictiveWorldModel.predict_next_state", **ctl, current_state=f64([0.0, 0.0, 0.0]),
              action=f64([0.0, 0.0]))
    b.invalid("predict_next_state: scalar action for action_dim 2", "WrongRank",
              "PredictiveWorldModel.predict_next_state", **ctl, current_state=state2,
              action=f64(0.5))
    b.invalid("predict_next_state: action holds inf", "NonFinite",
              "PredictiveWorldModel.predict_next_state",
              **ctl, current_state=state2, action=f64([np.inf, 0.0]))
    b.invalid("predict_next_state_with_cov: current_cov asymmetric", "NotSymmetric",
              "PredictiveWorldModel.predict_next_state_with_cov", **ctl, current_state=state2,
              current_cov=f64([[1.0, 0.2], [0.0, 1.0]]), action=f64([0.0, 0.0]))
    b.invalid("predict_next_state_with_cov: current_cov indefinite", "NotPositiveDefinite",
              "PredictiveWorldModel.predict_next_state_with_cov", **ctl, current_state=state2,
              current_cov=f64([[1.0, 2.0], [2.0, 1.0]]), action=f64([0.0, 0.0]))
    b.invalid("predict_next_state_with_cov: current_cov (3, 3)", "WrongShape",
              "PredictiveWorldModel.predict_next_state_with_cov", **ctl, current_state=state2,
              current_cov=f64(np.eye(3)), action=f64([0.0, 0.0]))
    b.invalid("forecast: an action of 3 values for action_dim 2", "WrongShape",
              "PredictiveWorldModel.forecast",
              **ctl, initial_state=state2, actions=f64(np.zeros((2, 3))))
    b.invalid("forecast: actions one number, not a sequence", "WrongType",
              "PredictiveWorldModel.forecast",
              **ctl, initial_state=state2, actions=f64(1.0))
    b.invalid("forecast_with_cov: initial_cov holds NaN", "NonFinite",
              "PredictiveWorldModel.forecast_with_cov", **ctl, initial_state=state2,
              initial_cov=f64([[np.nan, 0.0], [0.0, 1.0]]), actions=f64(np.zeros((1, 2))))
    b.invalid("forecast_with_cov: initial_state holds NaN", "NonFinite",
              "PredictiveWorldModel.forecast_with_cov", **ctl, initial_state=f64([np.nan, 0.0]),
              initial_cov=cov2, actions=f64(np.zeros((1, 2))))


def build() -> GoldenFile:
    """The cases of ``parity/golden/predictive_model.txt``."""
    b = SafetyBuilder("predictive_model", "sc_neurocore.world_model.predictive_model",
                      run_case, rtol={k: RTOL for k in RTOL_OUTPUTS})
    models = _models()
    _random_cases(b)
    _model_cases(b)
    _sample_cases(b, models)
    data = _filter_cases(b, models)
    _masked_cases(b, data)
    _result_cases(b, models, data)
    _em_cases(b, models, data)
    _world_cases(b, models)
    b.invalid("unknown op", "Unknown",
              "KalmanFilter.predict", **data["random(3, 2, 1) with controls"])
    return b.golden()
