"""sc_neurocore.world_model.predictive_model against independent computations.

The golden file parity/golden/predictive_model.txt is written by this module,
so its correctness is established here without it:

* the ordered linear algebra equals plain scalar loops written from its
  docstrings, bit for bit (and NumPy/LAPACK within rounding);
* ``random`` and ``sample`` equal scalar re-implementations of their documented
  draw order, bit for bit;
* filter and smoother moments equal exact conditioning of the dense joint
  Gaussian of all states and observations, and the log-likelihood equals the
  dense multivariate normal log-density (hypothesis over random models);
* the EM step solves the M-step's normal equations and its Q and R are the
  expected residual covariances written out in full; EM never decreases the
  log-likelihood (hypothesis);
* every validation class is refused with an error naming the argument.

The reference API, the world model and the backends are tested in
tests/safety/test_predictive_model_api.py and tests/safety/test_predictive_model_backends.py.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lgssm_reference import block, close, dense_condition, dense_loglik
from sc_neurocore.splitmix import SplitMix64
from sc_neurocore.world_model import (
    EMLearner,
    FilterResult,
    KalmanFilter,
    LikelihoodDecreaseError,
    LinearGaussianSSM,
    RTSSmoother,
    _lgssm_checks,
    _lgssm_em,
    _linalg,
)
from sc_neurocore.world_model import predictive_model as pm

REPO = Path(__file__).resolve().parents[2]
SLOW = settings(max_examples=20, deadline=None)


# ---------------------------------------------------------------- independent references

def loop_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Scalar triple loop, each sum from 0.0 in increasing k (the documented order)."""
    out = np.zeros((a.shape[0], b.shape[1]))
    for i in range(a.shape[0]):
        for j in range(b.shape[1]):
            s = 0.0
            for k in range(a.shape[1]):
                s += float(a[i, k]) * float(b[k, j])
            out[i, j] = s
    return out


def loop_cholesky(m: np.ndarray) -> np.ndarray:
    """Scalar column Cholesky in the documented order."""
    n = m.shape[0]
    low = [[0.0] * n for _ in range(n)]
    for j in range(n):
        s = float(m[j, j])
        for k in range(j):
            s -= low[j][k] * low[j][k]
        low[j][j] = math.sqrt(s)
        for i in range(j + 1, n):
            t = float(m[i, j])
            for k in range(j):
                t -= low[i][k] * low[j][k]
            low[i][j] = t / low[j][j]
    return np.array(low)


def loop_solves(low: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward then backward substitution, scalar, in the documented order."""
    p, c = g.shape
    z = np.zeros((p, c))
    w = np.zeros((p, c))
    for col in range(c):
        for i in range(p):
            r = float(g[i, col])
            for k in range(i):
                r -= float(low[i, k]) * z[k, col]
            z[i, col] = r / float(low[i, i])
        for i in range(p - 1, -1, -1):
            r = z[i, col]
            for k in range(i + 1, p):
                r -= float(low[k, i]) * w[k, col]
            w[i, col] = r / float(low[i, i])
    return z, w


def controls_for(model: LinearGaussianSSM, steps: int, seed: int) -> np.ndarray | None:
    m = model.control_dim
    if m == 0:
        return None
    return SplitMix64(seed).uniforms(steps * m).reshape(steps, m) * 2.0 - 1.0


def as_u(model: LinearGaussianSSM, u: np.ndarray | None, steps: int) -> np.ndarray:
    return np.zeros((steps, model.control_dim)) if u is None else u


def ar1(a: float = 0.9, q: float = 0.1, r: float = 0.5) -> LinearGaussianSSM:
    return LinearGaussianSSM([[a]], None, [[1.0]], None, [[q]], [[r]], [0.0], [[1.0]])


MODEL_PARAMS = dict(A=[[0.8, 0.1], [-0.2, 0.7]], B=[[1.0, 0.0], [0.5, -1.0]],
                    C=[[1.0, 0.5], [0.0, 1.0]], D=[[0.2, 0.0], [0.0, -0.3]],
                    Q=[[0.2, 0.05], [0.05, 0.1]], R=[[0.3, 0.1], [0.1, 0.4]], mu_0=[1.0, -1.0],
                    Sigma_0=[[0.5, 0.1], [0.1, 0.5]])


def make(**changes: object) -> LinearGaussianSSM:
    params: dict[str, Any] = dict(MODEL_PARAMS, **changes)
    return LinearGaussianSSM(**params)


dims = st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(0, 2))
seeds = st.integers(0, 2**64 - 1)


# ---------------------------------------------------------------- ordered linear algebra

def test_linear_algebra_is_the_documented_loops_bit_for_bit() -> None:
    g = SplitMix64(3)
    a = g.normals(12).reshape(3, 4)
    b = g.normals(20).reshape(4, 5)
    assert np.array_equal(_linalg.matmul(a, b), loop_matmul(a, b))
    assert np.array_equal(_linalg.matvec(a, b[:, 0]), loop_matmul(a, b[:, :1])[:, 0])
    assert np.allclose(_linalg.matmul(a, b), a @ b, rtol=1e-13, atol=1e-14)
    m = g.normals(16).reshape(4, 4)
    spd = loop_matmul(m, m.T) + np.eye(4)
    low, j, _ = _linalg.cholesky(spd, 0.0)
    assert low is not None and j == -1
    assert np.array_equal(low, loop_cholesky(spd))
    assert np.allclose(low, np.linalg.cholesky(spd), rtol=1e-12, atol=1e-14)
    rhs = g.normals(8).reshape(4, 2)
    z, w = loop_solves(low, rhs)
    assert np.array_equal(_linalg.solve_lower(low, rhs), z)
    assert np.array_equal(_linalg.solve_lower_t(low, z), w)
    assert np.array_equal(_linalg.cho_solve(low, rhs), w)
    assert np.allclose(spd @ w, rhs, atol=1e-12)
    assert np.array_equal(_linalg.symmetrize(m), _linalg.symmetrize(m).T)


def test_sums_run_from_zero_in_index_order() -> None:
    # ((0 + 1e16) + 1) - 1e16 == 0: 1e16 + 1 rounds back to 1e16 (BLAS may say 1).
    a = np.array([[1e16, 1.0, -1e16]])
    assert _linalg.matmul(a, np.ones((3, 1)))[0, 0] == 0.0
    assert _linalg.matvec(a, np.ones(3))[0] == 0.0
    assert _linalg.matmul(np.zeros((2, 0)), np.zeros((0, 3))).shape == (2, 3)


def test_cholesky_reports_the_failing_pivot() -> None:
    low, j, pivot = _linalg.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]]), 0.0)
    assert low is None and j == 1 and pivot == -3.0
    low, j, pivot = _linalg.cholesky(np.array([[1.0, 0.0], [0.0, 1e-13]]), 1e-12)
    assert low is None and j == 1 and pivot == 1e-13
    low, j, _ = _linalg.cholesky(np.array([[np.nan]]), 0.0)
    assert low is None and j == 0


def test_semidefinite_factor_zeroes_the_columns_cholesky_fails_on() -> None:
    v = np.array([1.0, 2.0, -3.0])
    rank_one = np.outer(v, v)  # pivots 1, 0, 0: cholesky fails at column 1
    assert _linalg.cholesky(rank_one, 0.0)[:2] == (None, 1)
    low = _linalg.semidefinite_factor(rank_one, 0.0)
    assert np.array_equal(low, np.column_stack([v, np.zeros(3), np.zeros(3)]))
    assert np.array_equal(low @ low.T, rank_one)
    low = _linalg.semidefinite_factor(np.diag([4.0, 0.0, 9.0]), 0.0)
    assert np.array_equal(low, np.diag([2.0, 0.0, 3.0]))
    g = SplitMix64(5)
    m = g.normals(9).reshape(3, 3)
    spd = loop_matmul(m, m.T) + np.eye(3)  # no pivot at or below 0: the two factors agree
    assert np.array_equal(_linalg.semidefinite_factor(spd, 0.0), _linalg.cholesky(spd, 0.0)[0])


def test_log_2pi_is_log_of_two_pi() -> None:
    assert abs(pm.LOG_2PI - math.log(2.0 * math.pi)) <= math.ulp(pm.LOG_2PI)


# ---------------------------------------------------------------- the model

def test_constructor_stores_symmetrised_read_only_copies() -> None:
    q = np.array([[0.3, 0.1 + 1e-12], [0.1 - 1e-12, 0.2]])
    model = make(Q=q)
    assert np.array_equal(model.Q, model.Q.T)
    assert model.Q[0, 1] == (q[0, 1] + q[1, 0]) * 0.5
    assert (model.state_dim, model.obs_dim, model.control_dim) == (2, 2, 2)
    with pytest.raises(ValueError):
        model.A[0, 0] = 5.0
    q[0, 0] = 99.0
    assert model.Q[0, 0] == 0.3
    bare = make(B=None, D=None)
    assert bare.B.shape == (2, 0) and bare.D.shape == (2, 0) and bare.control_dim == 0
    assert "state_dim=2" in repr(bare)
    assert np.array_equal(model.replace(A=np.eye(2)).A, np.eye(2))
    with pytest.raises(TypeError, match="replace"):
        model.replace(E=1)


INVALID_MODELS = [
    ("A", dict(A=[[np.nan, 0.0], [0.0, 1.0]]), ValueError, "finite"),
    ("A", dict(A=np.zeros((2, 3))), ValueError, "square"),
    ("A", dict(A=np.ma.masked_array(np.eye(2), mask=[[0, 1], [0, 0]])), ValueError, "masked"),
    ("A", dict(A=[0.5, 0.5]), ValueError, "square"),
    ("A", dict(A=np.zeros((0, 0))), ValueError, "n >= 1"),
    ("A", dict(A=[["a", "b"], ["c", "d"]]), TypeError, "real numbers"),
    ("A", dict(A=np.eye(2, dtype=bool)), TypeError, "real numbers"),
    ("B", dict(B=np.zeros((3, 2))), ValueError, "shape"),
    ("B", dict(B=[[np.inf, 0.0], [0.0, 0.0]]), ValueError, "finite"),
    ("C", dict(C=np.zeros((2, 3))), ValueError, "shape"),
    ("C", dict(C=np.zeros((0, 2))), ValueError, "p >= 1"),
    ("D", dict(D=np.zeros((2, 1))), ValueError, "shape"),
    ("Q", dict(Q=np.eye(3)), ValueError, "shape"),
    ("Q", dict(Q=[[np.inf, 0.0], [0.0, 1.0]]), ValueError, "finite"),
    ("Q", dict(Q=[[0.3, 0.1], [0.0, 0.2]]), ValueError, "symmetric"),
    ("Q", dict(Q=[[1.0, 2.0], [2.0, 1.0]]), ValueError, "semidefinite"),
    ("Q", dict(Q=[[0.0, 1.0], [1.0, 0.0]]), ValueError, "semidefinite"),
    ("Q", dict(Q=[[1.0, 0.0], [0.0, -2e-10]]), ValueError, "semidefinite"),
    ("R", dict(R=[[1.0]]), ValueError, "shape"),
    ("R", dict(R=[[1.0, 1.0], [1.0, 1.0]]), ValueError, "positive definite"),
    ("R", dict(R=[[1.0, 0.0], [0.0, 5e-13]]), ValueError, "positive definite"),
    ("R", dict(R=[[1.0, 0.5], [0.4, 1.0]]), ValueError, "symmetric"),
    ("mu_0", dict(mu_0=[0.0, 0.0, 0.0]), ValueError, "shape"),
    ("mu_0", dict(mu_0=[0.0, -np.inf]), ValueError, "finite"),
    ("Sigma_0", dict(Sigma_0=[[1.0], [1.0]]), ValueError, "shape"),
    ("Sigma_0", dict(Sigma_0=-np.eye(2)), ValueError, "positive definite"),
    ("Sigma_0", dict(Sigma_0=[[2.0, 0.5], [0.5 + 4e-10, 1.0]]), ValueError, "symmetric"),
]


@pytest.mark.parametrize(("name", "changes", "exc", "words"), INVALID_MODELS,
                         ids=[f"{c[0]}-{c[3]}-{k}" for k, c in enumerate(INVALID_MODELS)])
def test_constructor_refuses_each_class_naming_the_argument(
        name: str, changes: dict[str, object], exc: type[Exception], words: str) -> None:
    with pytest.raises(exc, match=f"^{name} .*{words}"):
        make(**changes)


def test_tolerances_accept_just_inside() -> None:
    make(Sigma_0=[[2.0, 0.5], [0.5 + 1e-10, 1.0]])  # gap 1e-10 <= 1e-10 * 2
    make(R=[[1.0, 0.0], [0.0, 2e-12]])  # pivot 2e-12 > 1e-12 * 1
    make(Q=[[1.0, 0.0], [0.0, -5e-11]])  # eigenvalue -5e-11 > -1e-10 * 1
    make(Q=np.zeros((2, 2)))
    make(Q=[[1.0, 1.0], [1.0, 1.0]])
    # Relative rules: scaling a valid model's covariances by any power of two keeps it valid.
    for k in (-60, 60):
        s = 2.0 ** k
        make(Q=[[s, 0.0], [0.0, -5e-11 * s]], R=[[s, 0.0], [0.0, 2e-12 * s]])


# ---------------------------------------------------------------- random models

def reference_random(n: int, p: int, m: int, seed: int) -> dict[str, np.ndarray]:
    """The documented draw order, one scalar normal() at a time, plain loops."""
    g = SplitMix64(seed)

    def draws(rows: int, cols: int) -> list[list[float]]:
        return [[g.normal() for _ in range(cols)] for _ in range(rows)]

    def covariance(dim: int, scale: float) -> np.ndarray:
        mat = draws(dim, dim)
        f = scale / dim
        out = np.zeros((dim, dim))
        for i in range(dim):
            for j in range(dim):
                s = 0.0
                for k in range(dim):
                    s += mat[i][k] * mat[j][k]
                out[i, j] = s * f
                if i == j:
                    out[i, j] = out[i, j] + scale
        return out

    v = [g.normal() for _ in range(n)]
    norm2 = 0.0
    for x in v:
        norm2 += x * x
    f = 2.0 / norm2
    reflect = [[(1.0 if i == j else 0.0) - (f * v[i]) * v[j] for j in range(n)]
               for i in range(n)]
    pairs, single = n // 2, n % 2
    weights = [abs(g.normal()) for _ in range(pairs + single)]
    top = max(weights)
    radii = [0.95 * (w / top) for w in weights]
    schur = [[0.0] * n for _ in range(n)]
    for k in range(pairs):
        x, y, z = g.normal(), g.normal(), g.normal()
        h = math.sqrt(x * x + y * y)
        c, s = radii[k] * (x / h), radii[k] * (y / h)
        i = 2 * k
        if z >= 0.0:
            schur[i][i], schur[i][i + 1], schur[i + 1][i], schur[i + 1][i + 1] = c, -s, s, c
        else:
            schur[i][i], schur[i + 1][i + 1] = (radii[k] if x >= 0.0 else -radii[k]), s
    if single:
        x = g.normal()
        schur[n - 1][n - 1] = radii[pairs] if x >= 0.0 else -radii[pairs]
    for i in range(n):
        for j in range(i + 1, n):
            if not (i % 2 == 0 and j == i + 1 and i // 2 < pairs):
                schur[i][j] = g.normal() * 0.5
    rt = np.array(reflect)
    out = {"A": loop_matmul(loop_matmul(rt, np.array(schur)), rt),
           "B": np.array(draws(n, m)).reshape(n, m), "C": np.array(draws(p, n)),
           "D": np.zeros((p, m))}
    out["Q"] = covariance(n, 0.1)
    out["R"] = covariance(p, 0.1)
    out["mu_0"] = np.array([g.normal() for _ in range(n)])
    out["Sigma_0"] = covariance(n, 1.0)
    return out


@pytest.mark.parametrize(("n", "p", "m", "seed"),
                         [(1, 1, 0, 42), (3, 2, 1, 7), (4, 3, 2, 2**64 - 1), (2, 3, 0, 0),
                          (5, 1, 0, 11)])
def test_random_follows_the_documented_draw_order(n: int, p: int, m: int, seed: int) -> None:
    model = LinearGaussianSSM.random(n, p, m, seed)
    for key, want in reference_random(n, p, m, seed).items():
        assert np.array_equal(getattr(model, key), want), key


@SLOW
@given(st.tuples(st.integers(1, 6), st.integers(1, 3), st.integers(0, 2)), seeds)
def test_random_models_have_spectral_radius_095(dim: tuple[int, int, int], seed: int) -> None:
    # The reference documents "a model whose state-transition spectral radius is 0.95".
    n, p, m = dim
    model = LinearGaussianSSM.random(n, p, m, seed)
    radius = np.abs(np.linalg.eigvals(model.A)).max()
    assert abs(radius - pm.RANDOM_RADIUS) < 1e-6, radius
    assert np.linalg.eigvalsh(model.Q).min() >= 0.1 * (1 - 1e-12)
    assert np.linalg.eigvalsh(model.Sigma_0).min() >= 1.0 * (1 - 1e-12)
    assert model.B.shape == (n, m) and not model.D.any()
    assert np.array_equal(LinearGaussianSSM.random(n, p, m, seed).A, model.A)


@pytest.mark.parametrize(("kwargs", "exc", "name"), [
    (dict(state_dim=0, obs_dim=1), ValueError, "state_dim"),
    (dict(state_dim=1, obs_dim=0), ValueError, "obs_dim"),
    (dict(state_dim=1, obs_dim=1, control_dim=-1), ValueError, "control_dim"),
    (dict(state_dim=1, obs_dim=1, seed=-1), ValueError, "seed"),
    (dict(state_dim=1, obs_dim=1, seed=2**64), ValueError, "seed"),
    (dict(state_dim=2.0, obs_dim=1), TypeError, "state_dim"),
    (dict(state_dim=True, obs_dim=1), TypeError, "state_dim"),
])
def test_random_refuses_bad_arguments(kwargs: dict[str, Any], exc: type[Exception],
                                      name: str) -> None:
    with pytest.raises(exc, match=f"^{name}"):
        LinearGaussianSSM.random(**kwargs)


# ---------------------------------------------------------------- sampling

def test_sample_follows_the_documented_draw_order() -> None:
    model = make(Q=[[1.0, 1.0], [1.0, 1.0]])  # rank one: its semidefinite factor is exact
    u = np.array([[0.5, -1.0], [1.0, 0.0], [0.0, 2.0]])
    states, obs = model.sample(3, u, seed=9)
    g = SplitMix64(9)
    l0, lr = loop_cholesky(model.Sigma_0), loop_cholesky(model.R)
    lq = np.array([[1.0, 0.0], [1.0, 0.0]])  # column 1's pivot is 1 - 1 = 0: zero column
    assert np.array_equal(_lgssm_checks.semidefinite_factor(model.Q), lq)

    def mv(a: np.ndarray, v: np.ndarray) -> np.ndarray:
        return loop_matmul(a, v[:, None])[:, 0]

    x = model.mu_0 + mv(l0, np.array([g.normal(), g.normal()]))
    for t in range(3):
        assert np.array_equal(states[t], x)
        v = np.array([g.normal(), g.normal()])
        assert np.array_equal(obs[t], (mv(model.C, x) + mv(model.D, u[t])) + mv(lr, v))
        if t < 2:
            w = np.array([g.normal(), g.normal()])
            x = (mv(model.A, x) + mv(model.B, u[t])) + mv(lq, w)


def test_semidefinite_factor_rebuilds_psd_matrices() -> None:
    for q in ([[1.0, 0.0], [0.0, 0.0]], [[2.0, 1.0], [1.0, 3.0]], [[0.0, 0.0], [0.0, 0.0]]):
        low = _lgssm_checks.semidefinite_factor(np.array(q))
        assert np.allclose(low @ low.T, q, atol=1e-15)


def test_sample_moments_match_the_model() -> None:
    model = ar1(a=0.5, q=0.75, r=0.25)  # stationary state variance 0.75 / (1 - 0.25) = 1
    states, obs = model.sample(20000, seed=4)
    assert abs(states[1000:].var() - 1.0) < 0.06
    assert abs((obs - states).var() - 0.25) < 0.02
    assert abs(np.corrcoef(states[1:, 0], states[:-1, 0])[0, 1] - 0.5) < 0.03


def test_overflow_is_refused_not_returned() -> None:
    with pytest.raises(ValueError, match=r"^Q is too large: \(Q \+ Q\^T\) \* 0.5 overflows"):
        make(Q=[[1.7e308, 0.0], [0.0, 1.0]])
    growing = LinearGaussianSSM([[1e200]], None, [[1.0]], None, [[1.0]], [[1.0]], [0.0],
                                [[1.0]])
    with pytest.raises(ValueError, match="^n_steps: the simulation overflowed"):
        growing.sample(4)


def test_sample_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="^n_steps"):
        ar1().sample(0)
    with pytest.raises(ValueError, match="^seed"):
        ar1().sample(3, seed=-1)
    with pytest.raises(ValueError, match="^controls must have shape"):
        make().sample(3)


# ---------------------------------------------------------------- filter and smoother

def random_case(dim: tuple[int, int, int], seed: int,
                steps: int) -> tuple[LinearGaussianSSM, np.ndarray, np.ndarray | None]:
    n, p, m = dim
    model = LinearGaussianSSM.random(n, p, m, seed)
    u = controls_for(model, steps, seed ^ 1)
    _, y = model.sample(steps, u, seed=seed ^ 2)
    return model, y, u


@SLOW
@given(dims, seeds, st.integers(1, 6))
def test_filter_equals_dense_conditioning(dim: tuple[int, int, int], seed: int,
                                          steps: int) -> None:
    model, y, u = random_case(dim, seed, steps)
    fr = KalmanFilter(model).filter(y, u, backend="python")
    uu = as_u(model, u, steps)
    n = model.state_dim
    for t in range(steps):
        mean, cov = dense_condition(model, y, uu, t + 1)
        assert close(fr.means[t], mean[t]) and close(fr.covariances[t], block(cov, n, t, t))
        mean, cov = dense_condition(model, y, uu, t)
        assert close(fr.pred_means[t], mean[t])
        assert close(fr.pred_covariances[t], block(cov, n, t, t))
        assert np.array_equal(fr.covariances[t], fr.covariances[t].T)
    assert close(fr.log_likelihood, dense_loglik(model, y, uu))


@SLOW
@given(dims, seeds, st.integers(1, 6))
def test_smoother_equals_dense_conditioning(dim: tuple[int, int, int], seed: int,
                                            steps: int) -> None:
    model, y, u = random_case(dim, seed, steps)
    sr = RTSSmoother(model).smooth(KalmanFilter(model).filter(y, u, backend="python"),
                                   backend="python")
    mean, cov = dense_condition(model, y, as_u(model, u, steps), steps)
    n = model.state_dim
    assert sr.cross_covariances.shape == (steps - 1, n, n)
    for t in range(steps):
        assert close(sr.means[t], mean[t]) and close(sr.covariances[t], block(cov, n, t, t))
        if t + 1 < steps:  # the reference's orientation: Cov[x_t, x_{t+1} | y]
            assert close(sr.cross_covariances[t], block(cov, n, t, t + 1))


def test_filter_and_smoother_with_singular_q_and_feed_through() -> None:
    models = [make(Q=[[1.0, 0.0], [0.0, 0.0]]), make()]
    u = SplitMix64(5).normals(16).reshape(8, 2)
    for model in models:
        _, y = model.sample(8, u, seed=6)
        fr = KalmanFilter(model).filter(y, u, backend="python")
        sr = RTSSmoother(model).smooth(fr, backend="python")
        mean, cov = dense_condition(model, y, u, 8)
        assert close(sr.means, mean) and close(sr.covariances[3], block(cov, 2, 3, 3))
        assert close(fr.log_likelihood, dense_loglik(model, y, u))


def test_one_dimensional_observations_and_controls_are_columns() -> None:
    model = LinearGaussianSSM.random(2, 1, 1, seed=8)
    u = np.linspace(-1, 1, 10)
    _, y = model.sample(10, u[:, None], seed=1)
    a = KalmanFilter(model).filter(y, u[:, None], backend="python")
    b = KalmanFilter(model).filter(y[:, 0], u, backend="python")
    assert np.array_equal(a.means, b.means) and a.log_likelihood == b.log_likelihood


def test_filter_refuses_each_class_naming_the_argument() -> None:
    model = make()
    u = np.zeros((5, 2))
    y = np.zeros((5, 2))
    kf = KalmanFilter(model)
    bad_y = y.copy()
    bad_y[2, 1] = np.nan
    cases: list[tuple[object, object, type[Exception], str]] = [
        (bad_y, u, ValueError, "observations must be finite"),
        (np.zeros((5, 3)), u, ValueError, "observations must have shape"),
        (np.zeros(5), u, ValueError, "observations must have shape"),
        (np.zeros((0, 2)), np.zeros((0, 2)), ValueError, "observations must hold at least"),
        (np.zeros((5, 2, 1)), u, ValueError, "observations must have shape"),
        (y, None, ValueError, "controls must have shape"),
        (y, np.zeros((4, 2)), ValueError, "controls must have shape"),
        (y, np.full((5, 2), np.inf), ValueError, "controls must be finite"),
        (y, np.ma.masked_array(u, mask=np.eye(5, 2, dtype=bool)), ValueError,
         "controls must not hold masked"),
        (y.astype(str), u, TypeError, "observations must hold real numbers"),
    ]
    for backend in ("python", "rust"):
        for obs, ctl, exc, words in cases:
            with pytest.raises(exc, match=f"^{words}"):
                kf.filter(obs, ctl, backend=backend)
    with pytest.raises(ValueError, match="^controls must have shape"):
        KalmanFilter(ar1()).filter(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(TypeError, match="^model must be a LinearGaussianSSM"):
        KalmanFilter("model")  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["python", "rust"])
def test_filter_refuses_overflow(backend: str) -> None:
    big = LinearGaussianSSM([[1e300]], None, [[1e300]], None, [[1e300]], [[1e300]], [0.0],
                            [[1e300]])
    with pytest.raises(ValueError, match="^observations: the Kalman filter overflowed"):
        KalmanFilter(big).filter([1e300, -1e300], backend=backend)


@pytest.mark.parametrize("backend", ["python", "rust"])
def test_smoother_refuses_bad_filter_results(backend: str) -> None:
    model = ar1()
    fr = KalmanFilter(model).filter([0.1, 0.2, 0.3], backend=backend)
    sm = RTSSmoother(model)
    with pytest.raises(TypeError, match="^filter_result must be a FilterResult"):
        sm.smooth("fr", backend=backend)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="does not match model state dimension"):
        RTSSmoother(make()).smooth(fr, backend=backend)
    dead = ar1(a=0.0, q=0.0)  # the predicted covariance A P A^T + Q is 0
    with pytest.raises(np.linalg.LinAlgError, match="pred_covariances.*positive definite"):
        RTSSmoother(dead).smooth(KalmanFilter(dead).filter([0.1, 0.2]), backend=backend)


# ---------------------------------------------------------------- EM

def test_em_step_solves_the_m_step_exactly() -> None:
    truth = make()
    u = SplitMix64(2).normals(60).reshape(30, 2)
    _, y = truth.sample(30, u, seed=3)
    start = truth.replace(A=0.5 * np.eye(2), C=np.eye(2), Q=np.eye(2), R=np.eye(2))
    new, loglik = EMLearner().step(y, start, u)
    fr = KalmanFilter(start).filter(y, u, backend="python")
    assert loglik == fr.log_likelihood
    sr = RTSSmoother(start).smooth(fr, backend="python")
    m, p, v = sr.means, sr.covariances, sr.cross_covariances
    exx = p + np.einsum("ti,tj->tij", m, m)
    # E[x_{t+1} x_t^T]: the transpose of the stored Cov[x_t, x_{t+1}] plus the means.
    ex1x = np.swapaxes(v, 1, 2) + np.einsum("ti,tj->tij", m[1:], m[:-1])
    b = u @ start.B.T
    e = y - u @ start.D.T
    # Normal equations of A and C.
    lhs_a = sum(ex1x[t] - np.outer(b[t], m[t]) for t in range(29))
    assert close(new.A @ exx[:29].sum(axis=0), lhs_a, 1e-10)
    assert close(new.C @ exx.sum(axis=0), sum(np.outer(e[t], m[t]) for t in range(30)), 1e-10)
    # Q and R: the expected residual covariances, written out in full.
    a, c = new.A, new.C
    q = np.zeros((2, 2))
    for t in range(29):
        cross = ex1x[t] - np.outer(b[t], m[t])
        q += (exx[t + 1] - np.outer(m[t + 1], b[t]) - np.outer(b[t], m[t + 1])
              + np.outer(b[t], b[t]) - cross @ a.T - a @ cross.T + a @ exx[t] @ a.T)
    assert close(new.Q, q / 29, 1e-10)
    r = sum(np.outer(e[t], e[t]) - c @ np.outer(m[t], e[t]) - np.outer(e[t], m[t]) @ c.T
            + c @ exx[t] @ c.T for t in range(30))
    assert close(new.R, r / 30, 1e-10)
    assert np.array_equal(new.mu_0, m[0]) and np.array_equal(new.Sigma_0, p[0])
    assert np.array_equal(new.B, start.B) and np.array_equal(new.D, start.D)


@SLOW
@given(dims, seeds, seeds, st.integers(8, 16))
def test_em_never_decreases_the_log_likelihood(dim: tuple[int, int, int], seed: int,
                                               start_seed: int, steps: int) -> None:
    _, y, u = random_case(dim, seed, steps)
    start = LinearGaussianSSM.random(*dim, seed=start_seed)
    learner = EMLearner(max_iter=6, tol=0.0)
    fitted = learner.fit(y, start, u)
    lls = np.array(learner.log_likelihood_history)
    assert 2 <= lls.size <= 7 and all(type(v) is float for v in learner.log_likelihood_history)
    assert np.all(np.diff(lls) >= -pm.LL_ROUNDING_RTOL * np.maximum(1.0, np.abs(lls[:-1])))
    assert lls[-1] == KalmanFilter(fitted).filter(y, u, backend="python").log_likelihood


def test_em_fit_stops_on_small_change_and_returns_the_last_model() -> None:
    _, y, u = random_case((2, 2, 1), 31, 20)
    start = LinearGaussianSSM.random(2, 2, 1, seed=32)
    learner = EMLearner(max_iter=10, tol=1e9)
    learner.fit(y, start, u)
    assert len(learner.log_likelihood_history) == 2
    one, _ = EMLearner().step(y, start, u)
    learner = EMLearner(max_iter=1, tol=0.0)
    fitted = learner.fit(y, start, u)
    assert fitted == one and len(learner.log_likelihood_history) == 2


def test_em_rounding_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    y = ar1().sample(10, seed=1)[1]
    start = ar1(a=0.3)
    real_filter = _lgssm_em.filter_python
    first = real_filter(start, y, np.zeros((10, 0)), None).log_likelihood
    allowance = pm.LL_ROUNDING_RTOL * max(1.0, abs(first))

    def lowered(by: float) -> Any:
        def fake(model: LinearGaussianSSM, yy: np.ndarray, uu: np.ndarray,
                 missing: object) -> FilterResult:
            fr = real_filter(model, yy, uu, None)
            if model is start:
                return fr
            return FilterResult(fr.means, fr.covariances, fr.pred_means,
                                fr.pred_covariances, first - by)
        return fake

    monkeypatch.setattr(_lgssm_em, "filter_python", lowered(0.5 * allowance))
    learner = EMLearner(max_iter=5, tol=0.0)
    learner.fit(y, start)  # a decrease within rounding is accepted (no error); the next
    # candidate has the same (faked) value: a change of 0 <= tol stops the loop
    assert learner.log_likelihood_history == [first, first - 0.5 * allowance,
                                              first - 0.5 * allowance]
    monkeypatch.setattr(_lgssm_em, "filter_python", lowered(2.0 * allowance))
    learner = EMLearner(max_iter=5, tol=0.0)
    with pytest.raises(RuntimeError, match="decreased beyond float64 round-off"):
        learner.fit(y, start)
    # The offending value is the last entry of the history, as the reference keeps it.
    assert learner.log_likelihood_history == [first, first - 2.0 * allowance]
    assert issubclass(LikelihoodDecreaseError, RuntimeError)


def test_em_learns_an_ar1_model() -> None:
    truth = ar1(a=0.8, q=0.5, r=0.3)
    _, y = truth.sample(200, seed=12)
    start = LinearGaussianSSM([[0.2]], None, [[1.0]], None, [[1.0]], [[1.0]], [0.0], [[1.0]])
    learner = EMLearner(max_iter=40, tol=1e-7)
    fitted = learner.fit(y, start)
    lls = learner.log_likelihood_history
    assert lls[-1] > lls[0] + 10.0
    assert abs(fitted.A[0, 0] - 0.8) < 0.15
    assert abs(fitted.R[0, 0] - 0.3) < 0.15
    # C and Q are identified only through C^2 Q (the state's scale is free).
    assert abs(fitted.C[0, 0] ** 2 * fitted.Q[0, 0] - 0.5) < 0.25


def test_em_refuses_bad_arguments() -> None:
    for kwargs, exc, name in ((dict(max_iter=0), ValueError, "max_iter"),
                              (dict(max_iter=2.0), TypeError, "max_iter"),
                              (dict(tol=-1.0), ValueError, "tol"),
                              (dict(tol=float("nan")), ValueError, "tol"),
                              (dict(tol=True), TypeError, "tol"),
                              (dict(tol="x"), TypeError, "tol")):
        with pytest.raises(exc, match=f"^{name}"):
            EMLearner(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^observations must hold at least 2"):
        EMLearner().step([[0.1]], ar1())
    with pytest.raises(ValueError, match="^observations must hold at least 2"):
        EMLearner().fit([[0.1]], ar1())
    with pytest.raises(TypeError, match="^initial_model"):
        EMLearner().fit([[0.1], [0.2]], None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^model"):
        EMLearner().step([[0.1], [0.2]], None)  # type: ignore[arg-type]


def test_importable_with_numpy_alone() -> None:
    code = ("import sys, sc_neurocore.world_model as w; "
            "print(sorted(m for m in ('scipy', 'jax', 'numba', 'cupy', 'mpi4py') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(REPO / "python")})
    assert out.stdout.strip() == "[]"


def test_the_rust_mirror_has_the_same_constants() -> None:
    # One set of tolerances and random-model scales on both sides: read the mirror's.
    import re

    source = (REPO / "rust/mirror/src/safety/predictive_model/mod.rs").read_text()
    rust = {m[1]: float(m[2]) for m in re.finditer(r"pub const (\w+): f64 = ([-\d.e]+);", source)}
    names = ("SYM_RTOL", "PD_RTOL", "PSD_RTOL", "LOG_2PI", "LL_ROUNDING_RTOL", "RANDOM_RADIUS",
             "RANDOM_COUPLING_SCALE", "RANDOM_NOISE_SCALE", "RANDOM_SIGMA0_SCALE")
    assert sorted(rust) == sorted(names)
    for name in names:
        assert rust[name] == getattr(pm, name), name
