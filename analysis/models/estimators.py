"""The three estimators of a cross-section model, each a thin wrapper around a well-kept library,
returning the same `Estimate`:

    province_fe    pyfixest feols with province fixed effects, CRV1 errors clustered by province
                   (t with G - 1 degrees of freedom, pyfixest's default small-sample correction)
    hc3            statsmodels OLS, HC3 errors (normal critical values, statsmodels' default)
    spatial_error  spreg GM_Error_Het: spatial error model, heteroskedasticity-robust GMM
                   (Arraiz et al. 2010; normal critical values)

Libraries are imported inside the functions: fitting happens once per data version, and reports
that only read stored models should not pay for the imports.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

VARIANTS = ("province_fe", "hc3", "spatial_error")
MAIN_VARIANT = "province_fe"
Y = "_outcome"
GROUP = "_province"


@dataclass
class Estimate:
    params: pd.Series  # slope terms (and const for the pooled variants)
    cov: pd.DataFrame  # full covariance of params
    df: float | None  # degrees of freedom of the t critical values; None = normal
    fitted: pd.Series  # prediction in the sample (with fixed effects)
    residuals: pd.Series  # y - fitted
    sigma2: float  # residual variance (degrees-of-freedom corrected)
    # what Moran's I is computed on: the residuals, or for the spatial model the spatially
    # filtered residuals (what is left after the modelled spatial dependence)
    moran_residuals: pd.Series | None = None
    n_groups: int | None = None
    province_effects: dict[str, float] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)  # e.g. the spatial lambda


def fit_province_fe(y: pd.Series, x: pd.DataFrame, province: pd.Series) -> Estimate:
    import pyfixest as pf

    frame = x.assign(**{Y: y.to_numpy(), GROUP: province.to_numpy()})
    formula = f"{Y} ~ {' + '.join(x.columns)} | {GROUP}"
    with warnings.catch_warnings():  # pyfixest 0.60 uses pandas' deprecated `inplace=`
        warnings.filterwarnings("ignore", message="The inplace keyword")
        fit = pf.feols(formula, data=frame, vcov={"CRV1": GROUP})
    terms = list(x.columns)
    params = fit.coef().reindex(terms)
    cov = pd.DataFrame(np.asarray(fit._vcov), index=terms, columns=terms)
    partial = y - x.to_numpy() @ params.to_numpy()
    effects = partial.groupby(province.to_numpy()).mean()
    fitted = x.to_numpy() @ params.to_numpy() + province.map(effects).to_numpy()
    residuals = y - fitted
    n_groups = int(province.nunique())
    dof = len(y) - len(terms) - n_groups
    return Estimate(
        params=params,
        cov=cov,
        df=float(n_groups - 1),
        fitted=pd.Series(fitted, index=y.index),
        residuals=residuals,
        sigma2=float((residuals**2).sum() / dof),
        n_groups=n_groups,
        province_effects={str(k): float(v) for k, v in effects.items()},
    )


def fit_pooled_hc3(y: pd.Series, x: pd.DataFrame) -> Estimate:
    from statsmodels.regression.linear_model import OLS

    result = OLS(y, x).fit(cov_type="HC3")
    return Estimate(
        params=result.params,
        cov=pd.DataFrame(result.cov_params()),
        df=None,
        fitted=result.fittedvalues,
        residuals=result.resid,
        sigma2=float(result.mse_resid),
    )


def fit_spatial_error(y: pd.Series, x: pd.DataFrame, w) -> Estimate:
    """`x` has a `const` column; `w` a libpysal W over y's index, in the same order. Uses spreg's
    BaseGM_Error_Het (the estimator behind GM_Error_Het without building its printed summary,
    which takes as long as the fit; a reference test checks both give the same numbers)."""
    from spreg.error_sp_het import BaseGM_Error_Het

    terms = ["const", *[c for c in x.columns if c != "const"]]
    model = BaseGM_Error_Het(y.to_numpy(dtype=float)[:, None], x[terms].to_numpy(float), w.sparse)
    k = len(terms)
    betas = np.asarray(model.betas).ravel()
    params = pd.Series(betas[:k], index=terms)
    cov = pd.DataFrame(np.asarray(model.vm)[:k, :k], index=terms, columns=terms)
    filtered = pd.Series(np.asarray(model.e_filtered).ravel(), index=y.index)
    fitted = pd.Series(np.asarray(model.predy).ravel(), index=y.index)
    return Estimate(
        params=params,
        cov=cov,
        df=None,
        fitted=fitted,
        residuals=y - fitted,
        sigma2=float((filtered**2).sum() / (len(y) - k)),
        moran_residuals=filtered,
        extra={"lambda": float(betas[k])},
    )
