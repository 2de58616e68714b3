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

report = ProvinceReport.load(
    province, lang=lang, processed_dir=processed_dir, targets_file=targets_file
)
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
# ## Performance against the plan (capaian kinerja)
# Every kab/kota × indicator × year against the target that applies (its own RPJMD/RPD/Renstra
# target from `targets_file`, else the national RPJMN default, said so), with realisation, capaian
# and category (analysis.capaian), the change since the previous year, the districts behind on
# two or more indicators first, and flagged estimates (analysis.quality).

# %%
plan_evaluation = report.plan_evaluation()
plan_evaluation

# %% tags=["remove-cell"]
report.evaluation

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
# Districts ranked by the poverty rate (a welfare measure; GRDP per capita follows mining in some
# provinces): best and worst with their difference and a ratio worded for the indicator's
# direction, poorest third against least-poor third, and the slope index of inequality on the
# poverty rank (`analysis.welfare_inequality`); an association, not a cause.

# %%
inequality = report.inequality()
inequality

# %% tags=["remove-cell"]
inequality.data

# %% [markdown] tags=["remove-cell"]
# ## Follow-up actions by district
# For each kab/kota that imported a filled follow-up plan (`python -m analysis followup
# import`): its latest meeting and the actions by status, overdue ones counted.

# %%
report.followup()

# %%
report.footer()
