"""Driver models: fitted once per data version, stored under data/processed/models, then only read.

spec      params/models.yaml (drivers per outcome, thin-model thresholds)
assemble  cross-sections and panels from the preferred-value panel, with every dropped district
fit       OLS (statsmodels, HC3 / province FE) and PanelOLS (linearmodels) -> DriverModel
store     fit_all / load_models, keyed by a model version derived from the data version
decompose a district's gap to a reference, split by driver, each with an interval and its OPD
peers     structurally similar districts and positive deviants
"""
