"""Golden cases of :mod:`sc_neurocore.world_model.predictive_model`.

``parity/golden/predictive_model.txt`` checks the Python surface and the Rust
mirror ``rust/mirror/src/safety/predictive_model.rs`` against the same vectors.
A model is given by the inputs ``A, B, C, D, Q, R, mu_0, Sigma_0`` (``B`` and
``D`` of shape ``(n, 0)`` and ``(p, 0)`` without controls); ``controls`` is
present only when the case passes controls. Ops:

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
* ``EMLearner.step``: model, ``observations`` -> ``log_likelihood`` of the
  given model and the updated ``A_new, C_new, Q_new, R_new, mu_0_new,
  Sigma_0_new`` (bit for bit);
* ``EMLearner.fit``: the same plus ``max_iter``, ``tol`` -> ``log_likelihoods``
  and the final model's ``*_new``.

Every input is the same on every CPU: the models named ``random(...)`` and
the observations and controls of the filter, smoother and EM cases are drawn
from SplitMix64 *uniforms* and built with correctly rounded operations in a
fixed order (:func:`_uniform_model`, :func:`_data`), never from normals
(``log``, ``cos``), ``sin`` or ``@`` (BLAS), whose last bits differ between
CPUs.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from sc_neurocore.world_model.predictive_model import (EMLearner, KalmanFilter,
                                                       LinearGaussianSSM, RTSSmoother)

from sc_neurocore.splitmix import SplitMix64

from ._builder import SafetyBuilder, arg, f64, i64, op_of, strs, u64
from ..golden_format import GoldenFile

__all__ = ["OPS", "run_case", "build"]

OPS = ("LinearGaussianSSM", "LinearGaussianSSM.random", "LinearGaussianSSM.sample",
       "KalmanFilter.filter", "RTSSmoother.smooth", "EMLearner.step", "EMLearner.fit")
MODEL_KEYS = ("A", "B", "C", "D", "Q", "R", "mu_0", "Sigma_0")
RTOL = 1e-12
#: Outputs drawn from normals or through ``log``: compared within RTOL.
RTOL_OUTPUTS = ("A", "B", "C", "D", "Q", "R", "mu_0", "Sigma_0", "states", "observations",
                "log_likelihood", "log_likelihoods")


def _model(inputs: Mapping[str, np.ndarray]) -> LinearGaussianSSM:
    return LinearGaussianSSM(*(arg(inputs, k) for k in MODEL_KEYS))


def _controls(inputs: Mapping[str, np.ndarray]) -> object:
    return arg(inputs, "controls") if "controls" in inputs else None


def _new_model(model: LinearGaussianSSM) -> dict[str, object]:
    return {"A_new": model.A, "C_new": model.C, "Q_new": model.Q, "R_new": model.R,
            "mu_0_new": model.mu_0, "Sigma_0_new": model.Sigma_0}


def run_case(inputs: dict[str, np.ndarray]) -> Mapping[str, object]:
    """One case through :mod:`sc_neurocore.world_model.predictive_model`."""
    op = op_of(inputs)
    if op == "LinearGaussianSSM":
        model = _model(inputs)
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
        states, obs = _model(inputs).sample(arg(inputs, "n_steps"),  # type: ignore[arg-type]
                                            _controls(inputs),
                                            arg(inputs, "seed"))  # type: ignore[arg-type]
        return {"states": states, "observations": obs}
    if op == "KalmanFilter.filter":
        fr = KalmanFilter(_model(inputs)).filter(arg(inputs, "observations"), _controls(inputs))
        return {"means": fr.means, "covariances": fr.covariances, "pred_means": fr.pred_means,
                "pred_covariances": fr.pred_covariances, "log_likelihood": fr.log_likelihood}
    if op == "RTSSmoother.smooth":
        model = _model(inputs)
        fr = KalmanFilter(model).filter(arg(inputs, "observations"), _controls(inputs))
        sr = RTSSmoother(model).smooth(fr)
        return {"means": sr.means, "covariances": sr.covariances,
                "cross_covariances": sr.cross_covariances}
    if op == "EMLearner.step":
        new, loglik = EMLearner().step(arg(inputs, "observations"), _model(inputs),
                                       _controls(inputs))
        return {"log_likelihood": loglik, **_new_model(new)}
    if op == "EMLearner.fit":
        learner = EMLearner(arg(inputs, "max_iter"), arg(inputs, "tol"))  # type: ignore[arg-type]
        fitted, lls = learner.fit(arg(inputs, "observations"), _model(inputs), _controls(inputs))
        return {"log_likelihoods": lls, **_new_model(fitted)}
    raise ValueError(f"op must be one of {', '.join(OPS)}, got {op!r}")


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
    ``mu_0``. Each product ``M x`` adds ``M[:, k] * x[k]`` for ``k = 0, 1,
    ...`` (no ``@``: BLAS's order of summation depends on the CPU), so the
    data is the same on every CPU.
    """
    gen = SplitMix64(seed)
    n, p, m = model.state_dim, model.obs_dim, model.control_dim
    controls = _uniforms(gen, (steps, m)) if m else None

    def times(mat: np.ndarray, vec: np.ndarray) -> np.ndarray:
        out = np.zeros(mat.shape[0], dtype=np.float64)
        for k in range(mat.shape[1]):
            out = out + mat[:, k] * vec[k]
        return out

    obs = np.zeros((steps, p), dtype=np.float64)
    x = np.array(model.mu_0, dtype=np.float64)
    for t in range(steps):
        u = controls[t] if controls is not None else np.zeros(0)
        obs[t] = (times(model.C, x) + times(model.D, u)) + _uniforms(gen, (p,), 0.5)
        x = (times(model.A, x) + times(model.B, u)) + _uniforms(gen, (n,), 0.3)
    return obs, controls


def _with_data(params: dict[str, object], obs: np.ndarray,
               controls: np.ndarray | None) -> dict[str, object]:
    out = dict(params, observations=obs)
    if controls is not None:
        out["controls"] = controls
    return out


def build() -> GoldenFile:
    """The cases of ``parity/golden/predictive_model.txt``."""
    b = SafetyBuilder("predictive_model", "sc_neurocore.world_model.predictive_model",
                      run_case, rtol={k: RTOL for k in RTOL_OUTPUTS})

    # -- random models: the documented draw order
    for n, p, m, seed in ((1, 1, 0, 42), (2, 1, 0, 0), (3, 2, 1, 7), (4, 3, 2, 2**64 - 1),
                          (2, 3, 0, 123), (1, 2, 3, 5)):
        b.valid(f"random({n}, {p}, {m}, seed={seed})", "LinearGaussianSSM.random",
                state_dim=i64(n), obs_dim=i64(p), control_dim=i64(m), seed=u64(seed))

    # -- the constructor: storage and both sides of every tolerance
    base = _params(_models()["hand-built with B and D (feed-through) controls"][0])

    def model_case(comment: str, valid: bool, **changes: object) -> None:
        inputs = dict(base, **changes)
        (b.valid if valid else b.invalid)(comment, "LinearGaussianSSM", **inputs)

    model_case("hand-built model with B and D", True)
    model_case("no controls: B (2, 0) and D (2, 0)", True, B=f64(np.zeros((2, 0))),
               D=f64(np.zeros((2, 0))))
    model_case("Sigma_0 asymmetric by 1e-10 <= 1e-10 * max|Sigma_0| (2e-10): symmetrised",
               True, Sigma_0=f64([[2.0, 0.5], [0.5 + 1e-10, 1.0]]))
    model_case("Sigma_0 asymmetric by 4e-10 > 1e-10 * max|Sigma_0| (2e-10)", False,
               Sigma_0=f64([[2.0, 0.5], [0.5 + 4e-10, 1.0]]))
    model_case("R pivot 2e-12 above 1e-12 * max diag", True, R=f64([[1.0, 0.0], [0.0, 2e-12]]))
    model_case("R pivot 5e-13 not above 1e-12 * max diag", False,
               R=f64([[1.0, 0.0], [0.0, 5e-13]]))
    model_case("Q eigenvalue -5e-11 above -1e-10 * max diag: PSD within tolerance", True,
               Q=f64([[1.0, 0.0], [0.0, -5e-11]]))
    model_case("Q eigenvalue -2e-10 below -1e-10 * max diag: not PSD", False,
               Q=f64([[1.0, 0.0], [0.0, -2e-10]]))
    model_case("Q exactly zero is PSD", True, Q=f64(np.zeros((2, 2))))
    model_case("Q rank one v v^T is PSD", True, Q=f64([[1.0, 1.0], [1.0, 1.0]]))
    model_case("Q asymmetric off-diagonals averaged", True,
               Q=f64([[0.3, 0.1 + 1e-12], [0.1 - 1e-12, 0.2]]))
    model_case("1x1 model", True, A=f64([[0.5]]), B=f64(np.zeros((1, 0))), C=f64([[2.0]]),
               D=f64(np.zeros((1, 0))), Q=f64([[0.1]]), R=f64([[0.2]]), mu_0=f64([3.0]),
               Sigma_0=f64([[4.0]]))
    # invalid classes
    nan_a = np.array(base["A"], dtype=np.float64)
    nan_a[1, 0] = np.nan
    model_case("A holds NaN", False, A=f64(nan_a))
    model_case("Q holds +inf", False, Q=f64([[np.inf, 0.0], [0.0, 1.0]]))
    model_case("mu_0 holds -inf", False, mu_0=f64([0.0, -np.inf]))
    model_case("B holds NaN", False, B=f64([[np.nan, 0.0], [0.0, 1.0]]))
    model_case("A not square (2, 3)", False, A=f64(np.zeros((2, 3))))
    model_case("A 1-D", False, A=f64([0.5, 0.5]))
    model_case("A empty (0, 0): state_dim must be >= 1", False, A=f64(np.zeros((0, 0))))
    model_case("B has 3 rows for n = 2", False, B=f64(np.zeros((3, 2))))
    model_case("C has 3 columns for n = 2", False, C=f64(np.zeros((2, 3))))
    model_case("C has no rows: obs_dim must be >= 1", False, C=f64(np.zeros((0, 2))))
    model_case("D (2, 1) for m = 2", False, D=f64(np.zeros((2, 1))))
    model_case("Q (3, 3) for n = 2", False, Q=f64(np.eye(3)))
    model_case("R (1, 1) for p = 2", False, R=f64([[1.0]]))
    model_case("mu_0 has 3 values for n = 2", False, mu_0=f64([0.0, 0.0, 0.0]))
    model_case("Sigma_0 (2, 1)", False, Sigma_0=f64([[1.0], [1.0]]))
    model_case("Q asymmetric beyond tolerance", False, Q=f64([[0.3, 0.1], [0.0, 0.2]]))
    model_case("R asymmetric beyond tolerance", False, R=f64([[1.0, 0.5], [0.4, 1.0]]))
    model_case("Q indefinite (eigenvalues 3 and -1)", False, Q=f64([[1.0, 2.0], [2.0, 1.0]]))
    model_case("Q zero diagonal with non-zero off-diagonal", False,
               Q=f64([[0.0, 1.0], [1.0, 0.0]]))
    model_case("R PSD but singular", False, R=f64([[1.0, 1.0], [1.0, 1.0]]))
    model_case("R zero", False, R=f64(np.zeros((2, 2))))
    model_case("Q entries near the largest double: symmetrising overflows", False,
               Q=f64([[1.7e308, 0.0], [0.0, 1.0]]))
    model_case("Sigma_0 negative definite", False, Sigma_0=f64([[-1.0, 0.0], [0.0, -1.0]]))
    model_case("A given as strings", False, A=strs([["a", "b"], ["c", "d"]]))

    # -- random: argument classes
    def random_case(comment: str, **changes: object) -> None:
        inputs: dict[str, object] = dict(state_dim=i64(2), obs_dim=i64(2), control_dim=i64(0),
                                         seed=u64(1))
        inputs.update(changes)
        b.invalid(comment, "LinearGaussianSSM.random", **inputs)

    random_case("state_dim 0", state_dim=i64(0))
    random_case("obs_dim 0", obs_dim=i64(0))
    random_case("control_dim -1", control_dim=i64(-1))
    random_case("negative seed", seed=i64(-1))
    random_case("state_dim as a float", state_dim=f64(2.0))

    models = _models()

    # -- sample
    for name in ("1-D AR(1) hand-built", "random(3, 2, 1) with controls",
                 "hand-built singular Q = diag(1, 0)"):
        model, steps = models[name]
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
    b.invalid("sample n_steps 0", "LinearGaussianSSM.sample", **ar1, n_steps=i64(0), seed=u64(1))
    b.invalid("sample negative seed", "LinearGaussianSSM.sample", **ar1, n_steps=i64(3),
              seed=i64(-5))

    # -- filter and smoother on every model
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

    # filter invalid classes
    good = data["random(3, 2, 1) with controls"]

    def filter_case(comment: str, op: str = "KalmanFilter.filter", **changes: object) -> None:
        inputs = dict(good, **changes)
        b.invalid(comment, op, **inputs)

    obs_nan = np.array(good["observations"], dtype=np.float64)
    obs_nan[4, 1] = np.nan
    filter_case("observations hold NaN", observations=f64(obs_nan))
    filter_case("observations with 3 columns for obs_dim 2",
                observations=f64(np.zeros((30, 3))))
    filter_case("observations with no time step", observations=f64(np.zeros((0, 2))),
                controls=f64(np.zeros((0, 1))))
    filter_case("observations 3-D", observations=f64(np.zeros((30, 2, 1))))
    filter_case("controls with 29 rows for T = 30", controls=f64(np.zeros((29, 1))))
    filter_case("controls with 2 columns for control_dim 1", controls=f64(np.zeros((30, 2))))
    ctl_inf = np.array(good["controls"], dtype=np.float64)
    ctl_inf[3, 0] = np.inf
    filter_case("controls hold +inf", controls=f64(ctl_inf))
    filter_case("smoother: observations hold NaN", "RTSSmoother.smooth",
                observations=f64(obs_nan))
    filter_case("smoother: R not positive definite", "RTSSmoother.smooth",
                R=f64(np.zeros((2, 2))))
    no_ctl = data["random(2, 1)"]
    b.invalid("controls (T, 1) for a model without controls", "KalmanFilter.filter",
              **dict(no_ctl, controls=f64(np.zeros((25, 1)))))

    # -- EM: one iteration from a different starting model
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
        inputs = dict(data[name], **_params(start))
        b.valid(f"EM step on {name}", "EMLearner.step", **inputs)
    em_good = dict(data["random(3, 2, 1) with controls"],
                   **_params(starts["random(3, 2, 1) with controls"]))
    for name in ("1-D AR(1) hand-built", "random(3, 2, 1) with controls"):
        inputs = dict(data[name], **_params(starts[name]))
        b.valid(f"EM fit on {name}: max_iter 4, tol 0", "EMLearner.fit", **inputs,
                max_iter=i64(4), tol=f64(0.0))
    b.valid("EM fit stops after one iteration when tol is large", "EMLearner.fit", **em_good,
            max_iter=i64(10), tol=f64(1e6))
    two = dict(em_good)
    two["observations"] = np.asarray(two["observations"])[:2].copy()
    two["controls"] = np.asarray(two["controls"])[:2].copy()
    b.valid("EM step on the shortest sequence T = 2", "EMLearner.step", **two)
    one = dict(em_good)
    one["observations"] = np.asarray(one["observations"])[:1].copy()
    one["controls"] = np.asarray(one["controls"])[:1].copy()
    b.invalid("EM step needs T >= 2", "EMLearner.step", **one)
    b.invalid("EM fit max_iter 0", "EMLearner.fit", **em_good, max_iter=i64(0), tol=f64(0.0))
    b.invalid("EM fit negative tol", "EMLearner.fit", **em_good, max_iter=i64(3), tol=f64(-1.0))
    b.invalid("EM fit NaN tol", "EMLearner.fit", **em_good, max_iter=i64(3), tol=f64(np.nan))
    b.invalid("EM fit max_iter as a float", "EMLearner.fit", **em_good, max_iter=f64(3.0),
              tol=f64(0.0))
    b.invalid("unknown op", "KalmanFilter.predict", **good)
    return b.golden()
