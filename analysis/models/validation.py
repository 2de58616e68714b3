"""How well a model describes and predicts: within-province R² and K-fold cross-validated R².

Within-province R² = 1 - sum of squared province-demeaned residuals / sum of squared
province-demeaned outcomes: how much of the variation *inside* provinces the model tracks (the
province fixed effects alone explain none of it). Cross-validated R² = 1 - sum of squared
out-of-fold prediction errors / total sum of squares: the honest counterpart of R² (it can be
negative). Folds are a seeded random split of districts.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def within_r2(y: pd.Series, residuals: pd.Series, province: pd.Series) -> float:
    y_within = y - y.groupby(province).transform("mean")
    e_within = residuals - residuals.groupby(province).transform("mean")
    total = float((y_within**2).sum())
    return float(1 - (e_within**2).sum() / total) if total > 0 else float("nan")


def folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [np.sort(part) for part in np.array_split(order, k)]


def cross_validated_r2(
    y: pd.Series,
    predict: Callable[[np.ndarray, np.ndarray], np.ndarray],
    k: int,
    seed: int,
) -> float:
    """`predict(train_positions, test_positions)` returns predictions for the test rows from a
    fit on the training rows."""
    prediction = np.empty(len(y))
    for test in folds(len(y), k, seed):
        train = np.setdiff1d(np.arange(len(y)), test)
        prediction[test] = predict(train, test)
    values = y.to_numpy(dtype=float)
    total = float(((values - values.mean()) ** 2).sum())
    return float(1 - ((values - prediction) ** 2).sum() / total)


def least_squares_predictor(x: np.ndarray, y: np.ndarray) -> Callable:
    """Out-of-fold OLS predictions (the point estimates of the pooled HC3 variant)."""

    def predict(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        beta = np.linalg.lstsq(x[train], y[train], rcond=None)[0]
        return x[test] @ beta

    return predict


def fixed_effects_predictor(x: np.ndarray, y: np.ndarray, province: np.ndarray) -> Callable:
    """Out-of-fold predictions of the province fixed-effects model: slopes from the within
    transformation of the training rows, a held-out district gets its province's training
    effect (or the mean effect when no district of its province was in training)."""

    def predict(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        groups = pd.Series(province[train])
        xt = pd.DataFrame(x[train])
        yt = pd.Series(y[train])
        x_within = xt - xt.groupby(groups).transform("mean")
        y_within = yt - yt.groupby(groups).transform("mean")
        beta = np.linalg.lstsq(x_within.to_numpy(), y_within.to_numpy(), rcond=None)[0]
        effects = (yt - xt.to_numpy() @ beta).groupby(groups).mean()
        alpha = pd.Series(province[test]).map(effects).fillna(effects.mean()).to_numpy()
        return x[test] @ beta + alpha

    return predict
