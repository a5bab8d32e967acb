"""World models: linear-Gaussian state-space models, their filter, smoother and EM learner.

See [`sc_neurocore.world_model.predictive_model`][sc_neurocore.world_model.predictive_model];
the Rust mirror ``rust/mirror/src/safety/predictive_model/`` checks the same golden file
(``parity/golden/predictive_model.txt``) and runs the ``backend="rust"`` path.
"""

from .predictive_model import (
    EMLearner,
    FilterResult,
    KalmanFilter,
    LikelihoodDecreaseError,
    LinearGaussianSSM,
    PredictiveWorldModel,
    RTSSmoother,
    SmoothResult,
)

__all__ = ["EMLearner", "FilterResult", "KalmanFilter", "LikelihoodDecreaseError",
           "LinearGaussianSSM", "PredictiveWorldModel", "RTSSmoother", "SmoothResult"]
