"""Frames of the reports: pure pandas. Numbers, codes and years, no display strings; every
section's numbers come from here (and from `analysis`), never from the presentation layer."""
