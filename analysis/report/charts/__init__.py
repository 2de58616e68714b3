"""Charts of the reports: functions taking DataFrames (from `analysis.report.frames`), labels
already in the report's language and a number format, returning a `matplotlib.figure.Figure`.
No pyplot: nothing here touches matplotlib's global state or backend."""
