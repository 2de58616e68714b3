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
# District report (PIP). Parameterized: papermill fills this cell; in JupyterLab, edit it and run
# all. The numbers come from `analysis` (processed panel and stored models); this notebook only
# shows them. Texts are in analysis/strings.yaml (Bahasa Indonesia first, English beside it).
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
from analysis.report.district import DistrictReport

report = DistrictReport.load(
    district, lang=lang, reference=reference, targets_file=targets_file,
    processed_dir=processed_dir, spm_file=spm_file, units_file=units_file,
)
report.header()

# %%
report.summary()

# %%
report.data_quality()

# %%
report.cards()

# %%
report.trends()

# %%
report.maps()

# %%
report.root_causes()

# %%
report.peers()

# %%
report.targets()

# %%
report.spm()

# %%
report.within_district()

# %%
report.follow_up()

# %%
report.methods()

# %%
report.footer()
