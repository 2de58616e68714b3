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

# %% [markdown] tags=["remove-cell"]
# # Province overview (PIP rakor)
#
# Every kab/kota of one province side by side on the four PIP indicators. This notebook *is*
# the overview: its outputs are the sections of the HTML page `python -m analysis report
# --province …` renders. Cells tagged `remove-cell` (narrative, and the analyst cells showing
# each section's numbers as DataFrames) are left out of the page, and not run by a report
# render: they must not define anything later cells use.
#
# Each indicator is shown for one year, the newest with near-national coverage (the year
# `analysis.ranking.district_ranks` ranks by), so values, ranks, heatmap, maps and inequality
# measures agree.

# %% tags=["parameters"]
province = "Banten"  # province name (any spelling in params/provinces.yaml) or BPS code
lang = "id"  # "id" or "en"
processed_dir = None  # default: data/processed
targets_file = None  # target table of the province's kab/kota (params/targets/README.md)

# %%
import pandas as pd

from analysis.report.province import ProvinceReport

pd.set_option("display.html.table_schema", True)
pd.set_option("display.max_columns", 40)

report = ProvinceReport.load(province, lang=lang, processed_dir=processed_dir)
report.header()

# %% [markdown] tags=["remove-cell"]
# ## Ranks
# Each district's value, province and national rank (1 = best, among districts with data), and
# the gap to the target that applies. Districts without a value that year are not ranked; an
# older value is mentioned, not ranked.

# %%
ranked = report.ranked_table()
ranked

# %% tags=["remove-cell"]
ranked.data

# %% [markdown] tags=["remove-cell"]
# ## Standing and maps
# The heatmap colours each value by its within-province z-score (sign flipped for stunting, so
# green is always better); the maps show the same values in space.

# %%
heatmap = report.heatmap()
heatmap

# %% tags=["remove-cell"]
heatmap.data

# %%
maps = report.maps()
maps

# %% [markdown] tags=["remove-cell"]
# ## Districts needing attention
# The stated rule: bottom quarter of the province on two or more PIP indicators (indicators with
# fewer than four districts with data are not counted); plus the district furthest from each
# target.

# %%
attention = report.attention()
attention

# %% tags=["remove-cell"]
report.attention_frame()

# %% [markdown] tags=["remove-cell"]
# ## Inequality within the province
# Range, best/worst ratio, coefficient of variation, and the slope index of inequality on GRDP
# per capita (`analysis.inequality`); an association, not a cause.

# %%
inequality = report.inequality()
inequality

# %% tags=["remove-cell"]
inequality.data

# %%
report.footer()
