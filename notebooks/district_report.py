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
# # District report (PIP)
#
# This notebook *is* the district report: run it top to bottom and every output below is a
# section of the HTML page that `python -m analysis report` renders from it. Cells tagged
# `remove-cell` (this narrative, and the analyst cells that show each section's numbers as
# DataFrames) stay in the notebook and are left out of the rendered page (a report render does
# not even run them, so they must not define anything later cells use).
#
# Each section is an `analysis.report.model.Section`: `section.data` holds its DataFrames (real
# numbers, machine column names), `section.figures` its matplotlib figures, and the section
# displays itself here (HTML with its own styles, plus the chart as `image/png`). The numbers
# come from `analysis` (processed panel and stored models); nothing is computed in this notebook.

# %% tags=["parameters"]
# Parameters: papermill fills this cell; in JupyterLab, edit it and run all.
district = "Kabupaten Serang"  # name in any spelling, or BPS / Kemendagri code
lang = "id"  # "id" or "en"
reference = "national"  # "national", "province" or "peers"
targets_file = None  # CSV of district targets (params/targets/districts_template.csv)
processed_dir = None  # default: data/processed
spm_file = None  # SPM kesehatan achievement table (params/spm/spm_template.csv)
units_file = None  # kecamatan / puskesmas table (district, unit, unit_type, year, indicator, value)
template = "standard"  # "standard" or "renstra" (the Renstra view: analysis.renstra)
plan_file = None  # the district's plan table: targets + goal, objective, opd (params/targets/)

# %%
import pandas as pd

from analysis.report.district import DistrictReport

# DataFrames carry a typed schema (application/vnd.dataresource+json) beside their HTML
pd.set_option("display.html.table_schema", True)
pd.set_option("display.max_columns", 40)

report = DistrictReport.load(
    district, lang=lang, reference=reference, targets_file=targets_file,
    processed_dir=processed_dir, spm_file=spm_file, units_file=units_file,
    template=template, plan_file=plan_file,
)
report.header()

# %% [markdown] tags=["remove-cell"]
# ## Executive summary
# In the order a reader needs it: first, plainly, the indicators whose gap the measured factors
# do not explain (the unexplained part is the larger one); then the suspected root causes —
# only levers an OPD owns that are consistent across every model variant (province fixed
# effects, pooled OLS, spatial error; Holm-corrected), with the expected sign, on which the
# district is worse — or, when there is none, that the data cannot point to a root cause and
# what that means; the levers to verify in the workshop (descriptive gaps to comparable
# districts); the previous meeting's actions by status; the weakest rank; the gaps; the target
# verdicts; indicators without data. Context (density, GRDP, kota, province) and strengths are
# never named as causes.

# %%
report.summary()

# %% tags=["remove-cell"]
report.gap_frame()

# %% [markdown] tags=["remove-cell"]
# ## Renstra view (when `template` is "renstra")
# The Renstra template puts the Renstra view here, right after the summary: capaian kinerja over
# the previous plan, the gap to each new target, candidate strategic issues with their factors,
# logframe and RPJMD alignment (analysis.renstra). In the standard template it comes after the
# targets section, and only when `plan_file` is given. Nothing shows where it does not belong.

# %%
report.renstra_after("summary")

# %% [markdown] tags=["remove-cell"]
# ## What data the report had
# Years with a usable value per indicator and source, values rejected at validation or flagged
# by the cross-source check, and the routine (e-PPGBM) stunting figures kept apart from the
# survey series.

# %%
quality = report.data_quality()
quality

# %% tags=["remove-cell"]
quality.data

# %% [markdown] tags=["remove-cell"]
# ## The four PIP indicators
# Latest value, trend, ranks, target and verdict of each indicator; a missing indicator says so
# and where its data could come from.

# %%
cards = report.cards()
cards

# %% tags=["remove-cell"]
cards.data

# %% [markdown] tags=["remove-cell"]
# ## Trends and maps
# The district's series against the province and national medians (every district with a value
# that year), and the province's districts on a map in each indicator's latest year.

# %%
trends = report.trends()
trends

# %% tags=["remove-cell"]
trends.data

# %%
maps = report.maps()
maps

# %% tags=["remove-cell"]
maps.data

# %% [markdown] tags=["remove-cell"]
# ## Root causes (*akar masalah*)
# First what the data can and cannot tell. Per indicator: gap = explained (the main model's
# prediction for the district minus its mean prediction over the reference, with an interval
# from the full coefficient covariance) + unexplained (the district's own residual, with its
# prediction interval); when the unexplained part is the larger one that is said first, with the
# data that would help. Each part is worded by its status: *dugaan akar masalah*, *belum
# terbukti*, *kekuatan*, *perlu dicek di lokakarya* (a descriptive gap to the structural peers,
# never an effect), consistent but of the unexpected sign (never a root cause), context (no
# OPD). The chart's bars — levers, context, kota, province, unexplained — add up to the gap.
# For log-scale drivers (density, GRDP, staff ratios) the reference is the geometric mean, the
# scale the contribution is measured on. Associations, not causes.

# %%
root_causes = report.root_causes()
root_causes

# %% tags=["remove-cell"]
root_causes.data

# %% [markdown] tags=["remove-cell"]
# ## Peers, positive deviants, targets
# Structurally similar districts; the positive deviants among them are those doing better than
# the model predicts for their own context (by residual), with the levers on which they are
# better than the district. Then each indicator's trend — one series only (SKI 2023 is not a
# third SSGI point), at least 3 points — projected to its target year, and the verdict with its
# reason (*data belum cukup*, *tidak ada data sejak YYYY*, series not comparable).

# %%
peers = report.peers()
peers

# %% tags=["remove-cell"]
peers.data

# %%
targets = report.targets()
targets

# %% tags=["remove-cell"]
targets.data

# %%
report.renstra_after("targets")

# %% tags=["remove-cell"]
report.renstra_view.issues

# %% [markdown] tags=["remove-cell"]
# ## The district's own tables
# SPM kesehatan achievement (`spm_file`) and kecamatan / puskesmas values (`units_file`), when
# given; otherwise the sections say how to provide them.

# %%
report.spm()

# %%
report.within_district()

# %% [markdown] tags=["remove-cell"]
# ## Follow-up of the previous meeting, the new plan, methods
# What became of the last stored plan (`python -m analysis followup import`): each action's
# status, overdue flags, its indicator's latest value against the baseline, and the rows the
# import set aside. It stands before the new plan so the workshop can carry each action over,
# drop it or revise it. The new plan has one row per suspected root cause and per lever to
# verify (never context, never a lever on which the district is better); its Excel download is
# the workbook the import reads back. Methods: every model variant side by side.

# %%
report.previous_followup()

# %%
follow_up = report.follow_up()
follow_up

# %% tags=["remove-cell"]
follow_up.data

# %%
methods = report.methods()
methods

# %% tags=["remove-cell"]
methods.data

# %%
report.footer()
