"""Binary logistic regression with an L2 penalty, fitted by SciPy's L-BFGS (dense or sparse rows).

Two small models use it: the confidence model (five signals) and the case model (sparse text features).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

# Stop when an iteration improves the loss by less than this share: the decisions do not change any more.
RELATIVE_TOLERANCE = 1e-4


def fit_logistic(
    rows: np.ndarray | sparse.spmatrix,
    positive: np.ndarray,
    *,
    strength: float,
    balanced: bool = False,
    start: tuple[np.ndarray, float] | None = None,
) -> tuple[np.ndarray, float]:
    """Weights and bias minimising `0.5 |w|^2 + strength * sum(sample weight * log loss)`.

    `balanced` weighs each class by the inverse of its share, so that a rare class counts as much as
    a frequent one. `start`: weights and bias to start from (an earlier fit on nearly the same rows
    reaches the same minimum in a few iterations)."""
    from scipy.optimize import minimize  # imported here: it takes a second, and only training needs it
    from threadpoolctl import threadpool_limits

    y = positive.astype(float)
    n = len(y)
    if balanced:
        positives = max(float(y.sum()), 1.0)
        negatives = max(n - float(y.sum()), 1.0)
        sample_weight = np.where(y > 0, n / (2 * positives), n / (2 * negatives))
    else:
        sample_weight = np.ones(n)
    width = rows.shape[1]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        weights, bias = w[:width], w[width]
        z = np.asarray(rows @ weights).ravel() + bias
        # log(1 + e^z) - y z, written to stay finite for large |z|
        value = 0.5 * float(weights @ weights) + strength * float(
            sample_weight @ (np.logaddexp(0.0, z) - y * z)
        )
        residual = strength * sample_weight * (1.0 / (1.0 + np.exp(-z)) - y)
        gradient = np.empty(width + 1)
        gradient[:width] = weights + np.asarray(rows.T @ residual).ravel()
        gradient[width] = residual.sum()
        return value, gradient

    initial = np.zeros(width + 1)
    if start is not None:
        initial[:width], initial[width] = start
    # One BLAS thread: L-BFGS's vector operations on a few ten thousand numbers are too small for
    # OpenBLAS's threads, which then wait for each other longer than they compute (the case model's
    # fit: 2.0 -> 0.6 s on two cores beside the question model's fit).
    with threadpool_limits(limits=1, user_api="blas"):
        result = minimize(
            loss,
            initial,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 500, "ftol": RELATIVE_TOLERANCE},
        )
    return result.x[:width], float(result.x[width])


def sigmoid(logits: np.ndarray | float) -> np.ndarray:
    """1 / (1 + e^-x), safe for large |x|."""
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -50.0, 50.0)))
