"""Independent references for the linear-Gaussian state-space tests: exact Gaussian
conditioning of the dense joint distribution of all states and observations, built
from the model's equations with NumPy/LAPACK (no filter recursion)."""

from __future__ import annotations

import numpy as np
from sc_neurocore.world_model import LinearGaussianSSM


def dense_joint(model: LinearGaussianSSM, u: np.ndarray,
                steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean and covariance of all states (T n) and observations (T p), built from the equations."""
    a, b, c, d, q, r = model.A, model.B, model.C, model.D, model.Q, model.R
    n = model.state_dim
    mux = np.zeros((steps, n))
    mux[0] = model.mu_0
    for t in range(steps - 1):
        mux[t + 1] = a @ mux[t] + b @ u[t]
    marg = [np.array(model.Sigma_0)]
    for _ in range(steps - 1):
        marg.append(a @ marg[-1] @ a.T + q)
    sxx = np.zeros((steps * n, steps * n))
    for t in range(steps):
        for s in range(t + 1):
            blk = np.linalg.matrix_power(a, t - s) @ marg[s]  # Cov(x_t, x_s), t >= s
            sxx[t * n:(t + 1) * n, s * n:(s + 1) * n] = blk
            sxx[s * n:(s + 1) * n, t * n:(t + 1) * n] = blk.T
    big_c = np.kron(np.eye(steps), c)
    muy = (mux @ c.T + u @ d.T).reshape(-1)
    syy = big_c @ sxx @ big_c.T + np.kron(np.eye(steps), r)
    return mux.reshape(-1), sxx, muy, syy, sxx @ big_c.T


def dense_condition(model: LinearGaussianSSM, y: np.ndarray, u: np.ndarray, upto: int,
                    observed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean (T, n) and joint covariance (T n, T n) of the states given the observed
    entries (``observed``, ``(T, p)`` bool; all when ``None``) of y_0 .. y_{upto-1}."""
    steps, n, p = y.shape[0], model.state_dim, model.obs_dim
    mux, sxx, muy, syy, sxy = dense_joint(model, u, steps)
    use = np.zeros((steps, p), dtype=bool)
    use[:upto] = True
    if observed is not None:
        use &= observed
    k = np.flatnonzero(use.reshape(-1))
    if k.size == 0:
        return mux.reshape(steps, n), sxx
    gain = np.linalg.solve(syy[np.ix_(k, k)], sxy[:, k].T).T
    mean = mux + gain @ (y.reshape(-1)[k] - muy[k])
    return mean.reshape(steps, n), sxx - gain @ sxy[:, k].T


def dense_loglik(model: LinearGaussianSSM, y: np.ndarray, u: np.ndarray,
                 observed: np.ndarray | None = None) -> float:
    """``log p`` of the observed entries of ``y`` (all when ``observed`` is ``None``)."""
    _, _, muy, syy, _ = dense_joint(model, u, y.shape[0])
    k = (np.arange(y.size) if observed is None
         else np.flatnonzero(np.asarray(observed).reshape(-1)))
    if k.size == 0:
        return 0.0
    diff = y.reshape(-1)[k] - muy[k]
    cov = syy[np.ix_(k, k)]
    _, logdet = np.linalg.slogdet(cov)
    return float(-0.5 * (diff.size * np.log(2 * np.pi) + logdet
                         + diff @ np.linalg.solve(cov, diff)))


def block(cov: np.ndarray, n: int, i: int, j: int) -> np.ndarray:
    """Block ``(i, j)`` of size ``n`` of a joint covariance."""
    return cov[i * n:(i + 1) * n, j * n:(j + 1) * n]


def close(a: object, b: object, tol: float = 1e-9) -> bool:
    """``|a - b| <= tol * max(1, |b|)`` everywhere."""
    a_arr, b_arr = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return bool(np.all(np.abs(a_arr - b_arr) <= tol * np.maximum(1.0, np.abs(b_arr))))
