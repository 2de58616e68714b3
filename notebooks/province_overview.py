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

# %% tags=["parameters"]
province = "Banten"  # province name (any spelling in params/provinces.yaml) or BPS code
lang = "id"  # "id" or "en"
processed_dir = None  # default: data/processed
targets_file = None  # target table of the province's kab/kota (params/targets/README.md)

# %%
# Province overview (PIP rakor): every kab/kota of one province side by side on the four PIP
# indicators. Papermill fills the cell tagged `parameters`; in JupyterLab, edit it and run all.
# The numbers come from `analysis` (processed panel, `analysis.ranking`); this notebook only
# shows them. Texts are in `analysis/strings.yaml` (Bahasa Indonesia first, English beside it).
from analysis.report.province import ProvinceReport  # noqa: E402 (parameters cell first)

report = ProvinceReport.load(province, lang=lang, processed_dir=processed_dir)
report.header()

# %%
report.ranked_table()

# %%
report.heatmap()

# %%
report.maps()

# %%
report.attention()

# %%
report.inequality()

# %%
report.footer()
