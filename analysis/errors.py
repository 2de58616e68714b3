"""Errors a user sees. Each says what was wrong, where, and what to do."""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class for errors meant for the user (printed without a traceback by the CLI)."""


class SourceFileError(AnalysisError):
    """A raw file is missing, altered or unreadable."""


class ManifestError(AnalysisError):
    """params/sources.yaml or params/indicators.yaml is inconsistent."""


class DistrictNotFoundError(AnalysisError, LookupError):
    """A district name or code matches nothing in the registry."""

    def __init__(self, query: str, suggestions: list[str], province: str | None = None):
        self.query = query
        self.suggestions = suggestions
        where = f" in province {province!r}" if province else ""
        hint = f" Closest matches: {', '.join(suggestions)}." if suggestions else ""
        super().__init__(f"Unknown district {query!r}{where}.{hint}")


class AmbiguousDistrictError(AnalysisError, LookupError):
    """A name fits more than one district (e.g. 'Serang': Kabupaten Serang and Kota Serang)."""

    def __init__(self, query: str, candidates: list[str]):
        self.query = query
        self.candidates = candidates
        super().__init__(
            f"District name {query!r} is ambiguous: it fits {' and '.join(candidates)}. "
            "Say 'Kabupaten …' or 'Kota …', add the province, or give the BPS code."
        )


class MappingError(ManifestError):
    """An import's mapping file is invalid, or asks for something the import refuses."""


class ImportRefused(AnalysisError):
    """An import cannot be registered (unreadable table, reserved id, path outside, nothing
    accepted…). The project is left exactly as it was."""


class DamagedOutputError(AnalysisError):
    """A processed file does not match the hash recorded when it was written."""


class ProjectNotFoundError(AnalysisError):
    """No project folder (one holding params/sources.yaml) at or above the working directory, and
    $PIP_PROJECT_ROOT does not point at one."""
