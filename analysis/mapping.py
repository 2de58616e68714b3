"""The mapping file of an import (`python -m analysis import TABLE --mapping MAPPING.yaml`) as a
schema: every key typed, unknown keys refused by name, every error said in one line naming the
file, the key and what to write instead. README ("Your own data") documents each option."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analysis.errors import MappingError
from analysis.numbers import NUMBER_FORMATS
from analysis.yamlio import invalid_yaml

NumberFormatName = Literal["point", "decimal_comma", "thousands_comma", "id", "en"]
assert set(NumberFormatName.__args__) == NUMBER_FORMATS  # one list of formats
ID_PATTERN = r"^[a-z][a-z0-9_]{2,40}$"
Text = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileOptions(Strict):
    path: Text | None = None
    sep: Text = ","
    quotechar: Text = '"'
    encoding: Text = "utf-8"
    sheet: int | Text = 0
    header_row: Annotated[int, Field(ge=1)] = 1
    number: NumberFormatName | None = None
    missing: list[str] = [""]

    @field_validator("sep", "quotechar")
    @classmethod
    def _one_character(cls, v: str) -> str:
        if len(v) != 1:
            raise ValueError(f'must be one character (got {v!r}); a tab is written "\\t"')
        return v

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, v: str) -> str:
        try:
            codecs.lookup(v)
        except LookupError:
            raise ValueError(f"unknown encoding {v!r} (e.g. utf-8, latin-1, cp1252)") from None
        return v

    @field_validator("sheet")
    @classmethod
    def _sheet_index(cls, v: int | str) -> int | str:
        if isinstance(v, int) and v < 0:
            raise ValueError("a sheet index counts from 0 (the first sheet)")
        return v


class DistrictColumn(Strict):
    column: Text
    code: Literal["bps", "kemendagri"] | None = None
    province: Text | None = None
    province_value: Text | None = None
    names: Literal["bare_is_kabupaten"] | None = None


class YearSpec(Strict):
    column: Text | None = None
    value: Annotated[int, Field(ge=1990, le=2035)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> YearSpec:
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of `column` (the year column) or `value` (a year)")
        return self


class ValueColumn(Strict):
    indicator: Text
    number: NumberFormatName | None = None


class UnitSpec(Strict):
    label_id: Text
    label_en: Text
    integer: bool = False


class Tolerance(Strict):
    abs: float | None = None
    rel: float | None = None


class ModelRole(Strict):
    role: Literal["driver", "outcome"]
    outcomes: list[Text] | None = None
    drivers: list[Text] | None = None


class IndicatorSpec(Strict):
    label_id: Text
    label_en: Text
    unit: Text
    bounds: tuple[float, float]
    direction: Literal["higher", "lower", "neutral"]
    domain: Literal["PIP", "SPM", "driver", "context"]
    opd: Text
    zero_is_missing: bool = False
    tolerance: Tolerance | None = None
    transform: Literal["log1p"] | None = None
    model: ModelRole | None = None

    @field_validator("bounds")
    @classmethod
    def _ordered(cls, v: tuple[float, float]) -> tuple[float, float]:
        if v[0] >= v[1]:
            raise ValueError("bounds must be [lower, upper] with lower < upper")
        return v


class Authoritative(Strict):
    indicators: Annotated[list[Text], Field(min_length=1)]
    years: Annotated[list[int], Field(min_length=1)]
    reason: Text


class Stored(Strict):
    """Written by the import itself (never by hand): which file was imported, and its hash."""

    table_file: Text
    table_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    imported_from: str
    imported_at: str


class Mapping(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    title: Text
    publisher: Text
    address: Text
    license: Text
    file: FileOptions = FileOptions()
    district: DistrictColumn
    year: YearSpec
    values: Annotated[dict[Text, Text | ValueColumn], Field(min_length=1)]
    units: dict[Text, UnitSpec] = {}
    indicators: dict[Text, IndicatorSpec] = {}
    authoritative: list[Authoritative] = []
    stored: Stored | None = None

    def indicator_of(self, column: str) -> str:
        v = self.values[column]
        return v if isinstance(v, str) else v.indicator

    @property
    def columns(self) -> dict[str, str]:
        """Value column -> indicator id."""
        return {c: self.indicator_of(c) for c in self.values}

    def number_of(self, column: str) -> str | None:
        """The column's declared number format (its own, else the file's), None if undeclared."""
        v = self.values[column]
        own = None if isinstance(v, str) else v.number
        return own or self.file.number

    def authoritative_for(self, indicator: str, year: int) -> Authoritative | None:
        for a in self.authoritative:
            if indicator in a.indicators and int(year) in a.years:
                return a
        return None


HINTS = {
    "authority": "`authority` is no longer used: official sources always win over a district's "
    "own table unless the mapping declares `authoritative: [{indicators: [...], years: [...], "
    "reason: ...}]` (see README, 'Which value wins')",
    "values": "write `values: {Column name: indicator_id}` (one line per value column)",
    "year": "write `year: {column: Tahun}` or `year: {value: 2024}`",
    "district": "write `district: {column: Kabupaten/Kota}` (or add `code: bps` for BPS codes)",
    "file": "see README for `file:` (sep, encoding, sheet, header_row, number, missing, path)",
}


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def describe(error: dict[str, Any]) -> str:
    """One line for one pydantic error: the key, what is wrong, what to write."""
    loc = tuple(error["loc"])
    # pydantic names union branches in loc ("str", "ValueColumn"): the user never wrote those
    loc = tuple(p for p in loc if p not in ("str", "ValueColumn", "int", "constrained-str"))
    key = _where(loc)
    kind = error["type"]
    given = error.get("input")
    if kind == "extra_forbidden":
        name = loc[-1]
        parent = _where(loc[:-1])
        hint = HINTS.get(str(name), "remove it or check its spelling (see README)")
        return f"unknown key `{name}` under {parent}: {hint}"
    if kind == "missing":
        hint = HINTS.get(str(loc[-1]), "see README")
        return f"`{key}` is required: {hint}"
    got = f" (got {type(given).__name__} {given!r})" if given is not None else ""
    if len(got) > 90:
        got = f" (got a {type(given).__name__})"
    message = error["msg"].removeprefix("Value error, ")
    hint = HINTS.get(str(loc[0]), "") if loc else ""
    return f"`{key}`: {message}{got}" + (f"; {hint}" if hint and len(loc) == 1 else "")


def parse_mapping(doc: Any, where: str) -> Mapping:
    if not isinstance(doc, dict):
        raise MappingError(
            f"{where}: the mapping must be a YAML mapping of keys (id, title, …), "
            f"got {type(doc).__name__}; see README 'Your own data'"
        )
    try:
        return Mapping.model_validate(doc)
    except ValidationError as exc:
        problems = _dedupe(describe(e) for e in exc.errors())
        raise MappingError(
            f"{where}: {len(problems)} problem(s) in the mapping:\n  - " + "\n  - ".join(problems)
        ) from None


def _dedupe(lines) -> list[str]:
    seen: list[str] = []
    for line in lines:
        if line not in seen:
            seen.append(line)
    return seen


def read_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; every problem is a MappingError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(f"{path}: mapping file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: cannot read the mapping ({exc}); save it as UTF-8") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(invalid_yaml(path, exc)) from None
    if doc is None:
        raise MappingError(f"{path}: the mapping is empty; see README 'Your own data'")
    return parse_mapping(doc, str(path))


def dump_mapping(mapping: Mapping) -> str:
    doc = mapping.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
