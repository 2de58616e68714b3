"""Each estimator against the reference implementation called directly on the same data, driven
by a table of specifications (variant, reference, tolerances). The inputs of the reference calls
are rebuilt here from the raw sample with pandas, not with the project's design code."""

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm
from esda.moran import Moran
from linearmodels.iv.absorbing import AbsorbingLS
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import PredefinedSplit, cross_val_predict
from spreg import GM_Error_Het
from statsmodels.stats.multitest import multipletests

from analysis.models.validation import folds
from tests.test_models import TRUE, fit_synthetic, line_weights


@pytest.fixture(scope="module")
def case(catalogue):
    fit, cs = fit_synthetic(catalogue, n=240, seed=21, noise=2.0, provinces=24)
    sample = fit.main.sample.set_index("district_code")
    z = pd.DataFrame(index=sample.index)
    for d in TRUE:
        raw = sample[d].astype(float)
        raw = np.log1p(raw) if catalogue[d].transform == "log1p" else raw
        z[d] = (raw - raw.mean()) / raw.std(ddof=1)
    z["kota"] = sample["kota"].astype(float)
    islands = pd.get_dummies(sample["island"], dtype=float).drop(columns="Sumatera")
    islands.columns = [f"island_{c.lower()}" for c in islands.columns]
    w, _ = line_weights(list(sample.index))(list(sample.index))
    return {
        "fit": fit,
        "y": sample["life_expectancy"].astype(float),
        "z": z,
        "islands": islands,
        "province": sample["province_code"].astype(str),
        "w": w,
    }


def ref_pyfixest(c):
    frame = c["z"].assign(y=c["y"], prov=c["province"])
    res = pf.feols("y ~ " + " + ".join(c["z"].columns) + " | prov", frame, vcov={"CRV1": "prov"})
    ci = res.confint()
    return pd.DataFrame(
        {
            "estimate": res.coef(),
            "std_error": res.se(),
            "ci_low": ci.iloc[:, 0],
            "ci_high": ci.iloc[:, 1],
        }
    )


def ref_absorbing(c):
    absorb = pd.DataFrame({"prov": pd.Categorical(c["province"])})
    absorb.index = c["z"].index
    res = AbsorbingLS(c["y"], c["z"], absorb=absorb).fit()
    return pd.DataFrame({"estimate": res.params})


def ref_statsmodels_dummies(c):
    dummies = pd.get_dummies(c["province"], dtype=float)
    res = sm.OLS(c["y"], pd.concat([c["z"], dummies], axis=1)).fit()
    return pd.DataFrame({"estimate": res.params[c["z"].columns]})


def ref_statsmodels_hc3(c):
    x = sm.add_constant(pd.concat([c["z"], c["islands"]], axis=1))
    res = sm.OLS(c["y"], x).fit(cov_type="HC3")
    ci = res.conf_int()
    return pd.DataFrame(
        {"estimate": res.params, "std_error": res.bse, "ci_low": ci[0], "ci_high": ci[1]}
    )


def ref_spreg(c):
    x = pd.concat([c["z"], c["islands"]], axis=1)
    res = GM_Error_Het(c["y"].to_numpy()[:, None], x.to_numpy(), c["w"], name_x=list(x.columns))
    k = x.shape[1] + 1
    names = ["const", *x.columns]
    se = np.sqrt(np.diag(res.vm))[:k]
    return pd.DataFrame(
        {"estimate": np.asarray(res.betas).ravel()[:k], "std_error": se}, index=names
    )


SPECIFICATIONS = [
    (
        "province_fe",
        ref_pyfixest,
        {"estimate": 1e-9, "std_error": 1e-9, "ci_low": 1e-9, "ci_high": 1e-9},
    ),
    ("province_fe", ref_absorbing, {"estimate": 1e-7}),
    ("province_fe", ref_statsmodels_dummies, {"estimate": 1e-7}),
    (
        "hc3",
        ref_statsmodels_hc3,
        {"estimate": 1e-9, "std_error": 1e-9, "ci_low": 1e-9, "ci_high": 1e-9},
    ),
    ("spatial_error", ref_spreg, {"estimate": 1e-8, "std_error": 1e-8}),
]


@pytest.mark.parametrize(
    ("variant", "reference", "tolerance"),
    SPECIFICATIONS,
    ids=[f"{v}-{r.__name__}" for v, r, _ in SPECIFICATIONS],
)
def test_estimates_equal_the_reference_implementation(case, variant, reference, tolerance):
    ours = case["fit"].variants[variant].summary()
    theirs = reference(case)
    for column, rtol in tolerance.items():
        np.testing.assert_allclose(
            ours.loc[theirs.index, column], theirs[column], rtol=rtol, atol=1e-12, err_msg=column
        )


def test_moran_equals_esda_called_directly(case):
    for variant in ("province_fe", "hc3"):
        model = case["fit"].variants[variant]
        resid = model.sample.set_index("district_code")["residual"].reindex(case["w"].id_order)
        reference = Moran(resid.to_numpy(), case["w"], permutations=0)
        assert model.moran["i"] == pytest.approx(reference.I, rel=1e-10)
        assert model.moran["p_norm"] == pytest.approx(reference.p_norm, rel=1e-10)


def test_within_r2_equals_pyfixest(case):
    frame = case["z"].assign(y=case["y"], prov=case["province"])
    res = pf.feols("y ~ " + " + ".join(case["z"].columns) + " | prov", frame)
    assert case["fit"].main.r2_within == pytest.approx(res._r2_within, rel=1e-9)


def test_cross_validated_r2_equals_scikit_learn_on_the_same_folds(case):
    model = case["fit"].variants["hc3"]
    x = pd.concat([case["z"], case["islands"]], axis=1).to_numpy()
    fold_of = np.empty(len(x), dtype=int)
    for i, test in enumerate(folds(len(x), 5, 20240601)):
        fold_of[test] = i
    predicted = cross_val_predict(LinearRegression(), x, case["y"], cv=PredefinedSplit(fold_of))
    y = case["y"].to_numpy()
    r2 = 1 - ((y - predicted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert model.r2_cv == pytest.approx(r2, rel=1e-9)


def test_holm_equals_statsmodels_multipletests(case):
    for model in case["fit"].variants.values():
        levers = model.table[model.table["p_holm"].notna()]
        expected = multipletests(levers["p_value"], method="holm")[1]
        np.testing.assert_allclose(levers["p_holm"], expected, rtol=1e-12)
