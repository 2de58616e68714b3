"""Presentation: each function builds one `Section` (analysis.report.model) from frames and
charts, with the texts of analysis/strings.yaml in the report's language. No DataFrame
computation beyond choosing and labelling columns, no drawing, no HTML."""
