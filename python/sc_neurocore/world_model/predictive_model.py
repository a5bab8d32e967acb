"""Linear-Gaussian state-space models: Kalman filter, RTS smoother, EM learner, world model.

The model (all matrices float64; ``n = state_dim``, ``p = obs_dim``,
``m = control_dim``, time steps ``t = 0 .. T-1``)::

    x_0     ~ N(mu_0, Sigma_0)
    x_{t+1} = A x_t + B u_t + w_t,    w_t ~ N(0, Q)
    y_t     = C x_t + D u_t + v_t,    v_t ~ N(0, R)

with ``u_t`` the control (action) applied at step ``t``: it enters the
observation of step ``t`` and the transition from ``t`` to ``t + 1``
(Kalman 1960; Rauch, Tung and Striebel 1965; Shumway and Stoffer 1982).

This module is the public face of the private modules ``_lgssm_*`` and
``_world_model`` (one concept each); every name below is defined there and
re-exported here, and reports this module as its home.

Numerics (the contract; the Rust mirror ``rust/mirror/src/safety/predictive_model/``
repeats it operation for operation and ``parity/golden/predictive_model.txt``
checks both): every matrix product, solve and factorization is one of
``sc_neurocore.world_model._linalg``, whose order of operations is written
down (sums in increasing index order, no fused multiply-add, no BLAS). The
filter, smoother and EM outputs are therefore exactly specified: the ``"python"``
and ``"rust"`` backends agree bit for bit on every CPU, and the golden file
compares them bit for bit; only the log-likelihood (the math library's ``log``)
and anything drawn from normals (the math library's ``log``/``cos``) are compared
within a relative tolerance of ``1e-12`` across machines.

Validation tolerances (exact rules, both sides):

* symmetric: ``|M[i,j] - M[j,i]| <= SYM_RTOL * max|M|`` for every ``i, j``
  (``SYM_RTOL = 1e-10``); the stored matrix is ``symmetrize(M)``
  (``(M[i,j] + M[j,i]) * 0.5``), exactly symmetric, and must be finite (entries
  near the largest double overflow the sum and are refused);
* positive definite (``R``, ``Sigma_0``): every pivot of ``cholesky``
  of the symmetrised matrix exceeds ``PD_RTOL * max_i |M[i,i]|``
  (``PD_RTOL = 1e-12``, roughly a condition-number bound of ``1e12``);
* positive semidefinite (``Q``, the covariances of a result, a state
  covariance): with ``tau = PSD_RTOL * max_i |M[i,i]|`` (``PSD_RTOL = 1e-10``),
  every Cholesky pivot of ``M + tau I`` is ``> 0`` (in exact arithmetic: every
  eigenvalue of ``M`` exceeds ``-tau``); when ``max_i |M[i,i]| = 0``, ``M`` must
  be exactly zero.

Missing observations: the masked entries of a ``numpy.ma.MaskedArray`` of
observations are missing values (the filter conditions on the observed entries
only; see [`KalmanFilter.filter`][sc_neurocore.world_model.predictive_model.KalmanFilter.filter]).
A mask on any other argument is refused, never dropped.

Randomness comes from the shared
[`sc_neurocore.splitmix.SplitMix64`][sc_neurocore.splitmix.SplitMix64] (docs/safety-mirrors.md,
"Shared randomness"); each method that draws owns a fresh generator seeded with its ``seed``
argument and documents its order.
"""

from __future__ import annotations

__all__ = [
    "LinearGaussianSSM", "FilterResult", "KalmanFilter", "SmoothResult", "RTSSmoother",
    "EMLearner", "PredictiveWorldModel", "LikelihoodDecreaseError", "BACKENDS", "SYM_RTOL",
    "PD_RTOL", "PSD_RTOL", "LOG_2PI", "LL_ROUNDING_RTOL", "RANDOM_RADIUS",
    "RANDOM_COUPLING_SCALE", "RANDOM_NOISE_SCALE", "RANDOM_SIGMA0_SCALE",
]

from sc_neurocore._public import publish

from ._lgssm_backends import BACKENDS
from ._lgssm_checks import PD_RTOL, PSD_RTOL, SYM_RTOL
from ._lgssm_em import LL_ROUNDING_RTOL, EMLearner, LikelihoodDecreaseError
from ._lgssm_filter import LOG_2PI, KalmanFilter
from ._lgssm_model import (
    RANDOM_COUPLING_SCALE,
    RANDOM_NOISE_SCALE,
    RANDOM_RADIUS,
    RANDOM_SIGMA0_SCALE,
    LinearGaussianSSM,
)
from ._lgssm_results import FilterResult, SmoothResult
from ._lgssm_smoother import RTSSmoother
from ._world_model import PredictiveWorldModel

# The classes report this module as their home (reprs, pickles, documentation).
publish(__name__, globals(), __all__)
