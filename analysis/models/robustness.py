"""Which levers survive every variant.

Within each variant the levers' p-values are Holm-adjusted (statsmodels `multipletests`), over
that model's levers only (context terms are controls, not tested claims). A lever is
*consistent* when, in every variant, its estimate has the sign of the main model's and its
Holm-adjusted p-value is below alpha (equivalently: its Holm-adjusted interval excludes zero);
otherwise it is *not established*. Context terms get no status.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.models.estimators import MAIN_VARIANT


def critical_value(alpha: float, df: float | None) -> float:
    """Two-sided critical value: t with `df` degrees of freedom, or normal when df is None."""
    if df is None:
        return float(stats.norm.ppf(1 - alpha / 2))
    return float(stats.t.ppf(1 - alpha / 2, df))


def p_values(estimate: np.ndarray, se: np.ndarray, df: float | None) -> np.ndarray:
    t = np.abs(estimate / se)
    if df is None:
        return 2 * stats.norm.sf(t)
    return 2 * stats.t.sf(t, df)


def holm(p: pd.Series, alpha: float) -> tuple[pd.Series, pd.Series]:
    """(Holm-adjusted p-values, the alpha of each term's interval).

    Adjusted p of the term of rank r (ascending p): max over ranks i <= r of min(1, (m-i+1) p_i)
    (the same numbers as statsmodels `multipletests(method="holm")`, which a reference test
    checks; it is not called here because it runs a full garbage collection on every call).
    The step-down procedure tests rank r at alpha / (m - r + 1) as long as every smaller p was
    rejected; once one is not, the rest are not either. The interval alpha follows that: a term
    at or after the first non-rejected step gets that step's alpha, so its interval includes zero
    exactly when its adjusted p-value is not below alpha."""
    if p.empty:
        return p.copy(), p.copy()
    m = len(p)
    rank = p.rank(method="first").astype(int)
    ordered = p.sort_values(kind="stable")
    stepped = np.minimum(1.0, (m - np.arange(m)) * ordered.to_numpy(dtype=float))
    adjusted = pd.Series(np.maximum.accumulate(stepped), index=ordered.index).reindex(p.index)
    failed = rank[adjusted >= alpha]
    first_fail = int(failed.min()) if len(failed) else m + 1
    step_alpha = alpha / (m - rank.clip(upper=first_fail) + 1)
    return adjusted, step_alpha


def holm_columns(
    table: pd.DataFrame, levers: list[str], alpha: float, df: float | None
) -> pd.DataFrame:
    """Add p_holm, ci_low_holm, ci_high_holm to a coefficient table (levers only; NaN else).
    The Holm interval of a lever is its interval at the level of its Holm step."""
    table = table.copy()
    for col in ("p_holm", "ci_low_holm", "ci_high_holm"):
        table[col] = np.nan
    rows = table["term"].isin(levers)
    p = table.loc[rows, "p_value"]
    adjusted, step_alpha = holm(p, alpha)
    q = step_alpha.map(lambda a: critical_value(a, df))
    table.loc[rows, "p_holm"] = adjusted
    table.loc[rows, "ci_low_holm"] = table.loc[rows, "estimate"] - q * table.loc[rows, "std_error"]
    table.loc[rows, "ci_high_holm"] = table.loc[rows, "estimate"] + q * table.loc[rows, "std_error"]
    return table


def lever_status(tables: dict[str, pd.DataFrame], levers: list[str], alpha: float) -> pd.DataFrame:
    """One row per lever: the main estimate's sign, per variant whether the sign agrees and the
    Holm-adjusted p-value is below alpha, and `consistent` (all of them)."""
    main = tables[MAIN_VARIANT].set_index("term")
    rows = []
    for lever in levers:
        sign = float(np.sign(main.at[lever, "estimate"])) if lever in main.index else 0.0
        row = {"term": lever, "sign": sign}
        passed = []
        for variant, table in tables.items():
            t = table.set_index("term")
            if lever not in t.index or sign == 0:
                ok = False
            else:
                agrees = np.sign(t.at[lever, "estimate"]) == sign
                ok = bool(agrees and t.at[lever, "p_holm"] < alpha)
            row[f"holds_{variant}"] = ok
            passed.append(ok)
        row["consistent"] = bool(passed) and all(passed)
        rows.append(row)
    return pd.DataFrame(rows)
