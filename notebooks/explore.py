# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exploring the data with the `analysis` package
#
# How an analyst uses the package in JupyterLab: one district's panel, an indicator across all
# districts (against a driver, on a map), a fitted model, a gap decomposition, and a comparison
# group of your own choosing. Every number comes from the processed data (`make data`); nothing
# here is stored or changes a report. Regression results are associations across districts,
# not proof of cause.

# %% tags=["parameters"]
district = "Kabupaten Serang"  # any spelling, or a BPS / Kemendagri code
indicator = "stunting"  # an outcome with a driver model (params/models.yaml)
driver = "sanitation_access"  # one of its drivers
comparison = ["Kota Serang", "Kota Cilegon", "Kabupaten Pandeglang", "Kabupaten Lebak",
              "Kabupaten Tangerang"]  # a comparison group of your own
lang = "en"  # labels in "id" or "en"
processed_dir = None  # default: data/processed

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis.explain import Context, explain
from analysis.maps import national_map
from analysis.models.decompose import decompose
from analysis.paths import PROCESSED_DIR
from analysis.report.district import DistrictReport

pd.set_option("display.html.table_schema", True)
pd.set_option("display.max_columns", 30)

# The panel, registry, catalogue and fitted models, loaded once.
ctx = Context.load(Path(processed_dir) if processed_dir else PROCESSED_DIR)
me = ctx.registry.resolve(district)
label = ctx.catalogue[indicator].label(lang)
driver_label = ctx.catalogue[driver].label(lang)
me

# %% [markdown]
# ## One district's panel
# `ctx.preferred` is the tidy panel with one value per district, year and indicator (the
# preferred source where several report the same thing). Pivot it to see what the district has.

# %%
mine = ctx.preferred[ctx.preferred["district_code"] == me.code]
mine.pivot_table(index="indicator", columns="year", values="value").round(2)

# %% [markdown]
# ## An indicator across districts, against a driver
# The same year for both (the model's year), every district with both values; the district is
# marked. A line through a cloud of districts is an association, not a cause.

# %%
model = ctx.models.get(indicator)
year = model.year
both = pd.DataFrame(
    {indicator: ctx.values(indicator, year), driver: ctx.values(driver, year)}
).dropna()
fig, ax = plt.subplots(figsize=(7, 4.5))
sns.regplot(data=both, x=driver, y=indicator, ax=ax, scatter_kws={"s": 10, "alpha": 0.5})
if me.code in both.index:
    ax.scatter(both.at[me.code, driver], both.at[me.code, indicator], color="crimson", zorder=3)
    ax.annotate(me.name, (both.at[me.code, driver], both.at[me.code, indicator]))
ax.set(xlabel=driver_label, ylabel=label, title=f"{label} vs {driver_label}, {year}")
plt.show()

# %% [markdown]
# ## The indicator on a map
# `analysis.maps.national_map` returns a matplotlib Figure (no pyplot state): display it, save
# it, or draw into your own axes with `ax=`.

# %%
latest = ctx.preferred[ctx.preferred["indicator"] == indicator]
latest = latest[latest["year"] == latest["year"].max()].set_index("district_code")["value"]
national_map(
    latest,
    highlight=me.code,
    reverse=ctx.catalogue[indicator].direction == "lower",
    legend_label=ctx.catalogue.units[ctx.catalogue[indicator].unit][f"label_{lang}"],
)

# %% [markdown]
# ## The model behind the root causes
# Coefficients per one standard deviation of each (transformed) driver, robust 95 % intervals,
# p-values and VIFs; `ctx.models.table()` lists every fitted model.

# %%
model.summary()

# %% [markdown]
# The same drivers under every model variant (province fixed effects, pooled OLS with HC3 errors,
# spatial error model), side by side: a lever is called consistent only when all agree.

# %%
ctx.models.fit(indicator).comparison()

# %%
ctx.models.table()

# %% [markdown]
# ## A decomposition
# The district's gap to a reference (national, province or peers mean) split by driver.
# `explain` gives everything the report uses for one indicator; `report.root_causes()` is the
# report's section (its `.data` holds the same frames).

# %%
ex = explain(ctx, me.code, indicator, reference="province")
ex.decomposition.to_frame()

# %%
report = DistrictReport.load(me.code, lang=lang, reference="province", processed_dir=processed_dir)
report.decomposition_frame(indicator)

# %% [markdown]
# ## A comparison group of your own
# Any list of districts can be the reference: here the group chosen in the parameters cell.
# Districts outside the model's sample (no value that year) are left out of the mean.

# %%
group = [ctx.registry.resolve(name).code for name in comparison]
custom = decompose(ctx.models.fit(indicator), me.code, group, "custom", ctx.catalogue)
print(f"{me.name} {custom.district_value:.2f} vs group mean {custom.reference_value:.2f} "
      f"({custom.reference_n} districts): gap {custom.gap:+.2f}, "
      f"of which unexplained {custom.unexplained:+.2f}")
custom.to_frame()
