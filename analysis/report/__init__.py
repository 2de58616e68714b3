"""District and province reports: parameterized notebooks executed with papermill, rendered to one
self-contained HTML file (nbconvert, or Quarto when it is on PATH)."""
