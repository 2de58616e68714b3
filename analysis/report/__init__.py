"""District and province reports: parameterized notebooks executed with papermill, rendered to one
self-contained HTML file (nbconvert, or Quarto when it is on PATH).

The layer is split by kind of work:

- `frames/`: pure pandas, numbers and codes (`explained.py` is the one reader of
  `analysis.explain` results; `district.py`, `province.py`, `local.py` read the panel and the
  district's own tables);
- `charts/`: functions from frames (+ translated labels, a number format) to matplotlib Figures,
  without pyplot;
- `sections/`: one `Section` (model.py) per report section, texts from `analysis/strings.yaml`;
- `model.py` (the objects every output reads), `styled.py` (tables in Styler's markup),
  `html.py` + `templates/` (Jinja macros, CSS), `exports.py` (CSV/XLSX downloads);
- `district.py` / `province.py`: the report objects notebooks and analysts call;
- `render.py`, `run.py`, `index.py`, `browser.py`: execution, paths, the index page, Chromium.
"""
