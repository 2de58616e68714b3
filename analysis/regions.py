"""The district registry: the 514 kabupaten/kota, one code each, and every way sources write them.

The canonical `district_code` is the current (2023-vintage) 4-digit BPS code. The registry also
knows the 2010-vintage BPS code (boundaries, 2019 facility codes), the Kemendagri code (`PP.RR`)
and the names each source uses, and resolves any of them:

    resolve("Kabupaten Serang"), resolve("KAB. SERANG"), resolve("3604"), resolve("36.04")
        -> Kabupaten Serang
    resolve("Serang", province="Banten")
        -> AmbiguousDistrictError (Kabupaten Serang or Kota Serang)
    resolve("Serang", bare_is_kabupaten=True)
        -> Kabupaten Serang (for sources that write cities as "Kota X" and kabupaten bare)

Built from derived_crosswalk/kabkota_crosswalk.csv (in data/raw) and params/provinces.yaml.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from analysis import yamlio
from analysis.errors import AmbiguousDistrictError, DistrictNotFoundError, SourceFileError
from analysis.paths import PARAMS_DIR, RAW_DIR

CROSSWALK = Path("derived_crosswalk") / "kabkota_crosswalk.csv"
NAME_COLUMNS = (
    "longname_boundaries",
    "name_boundaries",
    "name_gdp_pc",
    "name_kemendagri",
    "name_socec",
    "name_kaggle2021",
)
KAB, KOTA = "kabupaten", "kota"
# Island groups by the first digit of the BPS province code (21 Kepulauan Riau is Sumatera).
ISLAND_GROUPS = {
    "1": "Sumatera",
    "2": "Sumatera",
    "3": "Jawa",
    "5": "Bali dan Nusa Tenggara",
    "6": "Kalimantan",
    "7": "Sulawesi",
    "8": "Maluku",
    "9": "Papua",
}
# Prefixes as sources write them, longest first; each maps to the district kind it announces.
_PREFIXES = (
    ("kabupaten administrasi ", KAB),
    ("kota administrasi ", KOTA),
    ("kota adm ", KOTA),
    ("kabupaten ", KAB),
    ("kab ", KAB),
    ("kota ", KOTA),
)
_ABBREVIATIONS = {"kep": "kepulauan", "adm": "administrasi", "kab": "kab"}


def _words(text: str) -> str:
    """Lower-case words, punctuation gone, known abbreviations expanded: 'KAB. Kep. Seribu*'
    -> 'kab kepulauan seribu'."""
    words = re.sub(r"[^0-9a-z]+", " ", str(text).lower()).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def parse_name(text: str) -> tuple[str | None, str]:
    """Split a district name into (kind announced by its prefix or None, matching key).

    The key ignores case, punctuation and spaces, so 'Pare Pare' = 'Parepare',
    'Tojo Una-Una' = 'Tojo UnaUna'.
    """
    words = _words(text) + " "
    kind = None
    for prefix, prefix_kind in _PREFIXES:
        if words.startswith(prefix):
            kind, words = prefix_kind, words[len(prefix) :]
            break
    return kind, words.replace(" ", "")


def province_key(text: str) -> str:
    words = _words(text)
    words = re.sub(r"^provinsi ", "", words)
    words = re.sub(r"^prov ", "", words)
    return words.replace(" ", "")


@dataclass(frozen=True)
class District:
    code: str
    code_2010: str
    kemendagri_code: str
    name: str
    short_name: str
    is_kota: bool
    province_code: str
    province: str
    province_code_2010: str

    @property
    def kind(self) -> str:
        return KOTA if self.is_kota else KAB

    @property
    def label(self) -> str:
        return f"{self.name} ({self.province})"

    @property
    def island(self) -> str:
        return ISLAND_GROUPS[self.province_code[0]]


class Registry:
    """Lookup of districts by any code or name variant. Build it with `load_registry()`."""

    def __init__(self, districts: pd.DataFrame, provinces: dict[str, dict]):
        self.frame = districts.set_index("district_code", drop=False).sort_index()
        self._districts = {
            row.district_code: District(
                code=row.district_code,
                code_2010=row.bps_code_2010,
                kemendagri_code=row.kemendagri_code,
                name=row.name,
                short_name=row.short_name,
                is_kota=bool(row.is_kota),
                province_code=row.province_code,
                province=row.province,
                province_code_2010=row.province_code_2010,
            )
            for row in self.frame.itertuples(index=False)
        }
        self._by_code: dict[str, str] = {}
        for d in self._districts.values():
            self._by_code[d.code] = d.code
            self._by_code.setdefault(d.code_2010, d.code)
            self._by_code[d.kemendagri_code] = d.code
        self._by_kind_key: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._irregular: dict[str, set[str]] = defaultdict(set)
        for row in self.frame.itertuples(index=False):
            kind = KOTA if row.is_kota else KAB
            for variant in row.variants:
                announced, key = parse_name(variant)
                if announced is None or announced == kind:
                    self._by_kind_key[(kind, key)].add(row.district_code)
                else:
                    # e.g. 'Kota Baru' is Kabupaten Kotabaru: only its exact spelling finds it
                    self._irregular[_words(variant).replace(" ", "")].add(row.district_code)
        self._provinces: dict[str, str] = {}
        self.province_names: dict[str, str] = {}
        for code, spec in provinces.items():
            self.province_names[code] = spec["name"]
            for alias in (spec["name"], *spec.get("aliases", []), code):
                self._provinces[province_key(alias)] = code
        self._labels = {d.label: d.code for d in self._districts.values()}

    # -- lookups ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._districts)

    def __iter__(self):
        return iter(self._districts.values())

    @property
    def codes(self) -> list[str]:
        return list(self._districts)

    def get(self, code: str) -> District:
        return self._districts[code]

    def province_code(self, province: str) -> str:
        key = province_key(province)
        if key in self._provinces:
            return self._provinces[key]
        choices = process.extract(province, list(self.province_names.values()), limit=3)
        raise DistrictNotFoundError(f"province {province}", [c[0] for c in choices])

    def in_province(self, province: str) -> list[District]:
        pcode = self.province_code(province)
        return [
            d for d in self._districts.values() if pcode in (d.province_code, d.province_code_2010)
        ]

    def code_for(self, code: str) -> str | None:
        """The canonical code for any BPS (2010 or 2023) or Kemendagri code, or None."""
        text = str(code).strip()
        if re.fullmatch(r"\d{2}\.\d{1,2}", text):
            prov, reg = text.split(".")
            text = f"{prov}.{reg.ljust(2, '0')}"
        elif re.fullmatch(r"\d{4}(\.0)?", text):
            text = text[:4]
        return self._by_code.get(text)

    def resolve(
        self, query: str, province: str | None = None, *, bare_is_kabupaten: bool = False
    ) -> District:
        """The one district `query` (a name in any spelling, or a code) refers to.

        Raises AmbiguousDistrictError when it fits several (say which kind, or the province) and
        DistrictNotFoundError, with the closest names, when it fits none.
        """
        text = str(query).strip()
        code = self.code_for(text)
        if code:
            return self._districts[code]
        candidates = self._candidates(text, bare_is_kabupaten)
        if province is not None:
            pcode = self.province_code(province)
            candidates = {
                c
                for c in candidates
                if pcode
                in (self._districts[c].province_code, self._districts[c].province_code_2010)
            }
        if len(candidates) == 1:
            return self._districts[candidates.pop()]
        if candidates:
            labels = sorted(self._districts[c].label for c in candidates)
            raise AmbiguousDistrictError(text, labels)
        raise DistrictNotFoundError(text, self.suggest(text, province), province)

    def _candidates(self, text: str, bare_is_kabupaten: bool) -> set[str]:
        irregular = self._irregular.get(_words(text).replace(" ", ""))
        if irregular:
            return set(irregular)
        kind, key = parse_name(text)
        if kind:
            return set(self._by_kind_key.get((kind, key), ()))
        kab = self._by_kind_key.get((KAB, key), set())
        kota = self._by_kind_key.get((KOTA, key), set())
        if bare_is_kabupaten and kab:
            return set(kab)
        return set(kab) | set(kota)

    def suggest(self, text: str, province: str | None = None, limit: int = 3) -> list[str]:
        labels = list(self._labels)
        if province is not None:
            try:
                pcode = self.province_code(province)
                labels = [
                    lab
                    for lab, c in self._labels.items()
                    if pcode
                    in (self._districts[c].province_code, self._districts[c].province_code_2010)
                ]
            except DistrictNotFoundError:
                pass
        kind, _key = parse_name(text)
        query = _words(text)
        for prefix, _kind in _PREFIXES:
            if (query + " ").startswith(prefix):
                query = query[len(prefix) :]
                break
        choices = {lab: _words(self._districts[self._labels[lab]].short_name) for lab in labels}
        found = process.extract(query, choices, scorer=fuzz.WRatio, limit=limit + 3)
        # a query that says 'Kab …' or 'Kota …' gets districts of that kind first
        ranked = sorted(
            found,
            key=lambda f: (
                -round(f[1]),
                kind is not None and self._districts[self._labels[f[2]]].kind != kind,
            ),
        )
        return [label for _name, _score, label in ranked[:limit]]

    def to_frame(self) -> pd.DataFrame:
        return self.frame.drop(columns=["variants"]).reset_index(drop=True)


def read_crosswalk(raw_dir: Path = RAW_DIR) -> pd.DataFrame:
    path = raw_dir / CROSSWALK
    if not path.exists():
        raise SourceFileError(
            f"{path} is missing: the district registry is built from it. "
            "Run `python -m analysis fetch` (or `make data`) first."
        )
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def build_districts(
    crosswalk: pd.DataFrame, provinces: dict[str, dict], aliases: list[dict] | None = None
) -> pd.DataFrame:
    """One row per district with its codes, official name, province and name variants."""
    extra: dict[str, set[str]] = defaultdict(set)
    for alias in aliases or []:
        extra[str(alias["district_code"])].add(alias["name"])
    rows = []
    for r in crosswalk.to_dict("records"):
        is_kota = r["is_kota"].strip().lower() == "true"
        official = re.sub(r"\s+", " ", r["name_kemendagri"]).strip()
        short = re.sub(
            r"^(Kabupaten Administrasi|Kota Administrasi|Kabupaten|Kota)\s+", "", official
        )
        rows.append(
            {
                "district_code": r["bps_code_2023"],
                "bps_code_2010": r["bps_code_2010"],
                "kemendagri_code": r["kemendagri_code"],
                "name": official,
                "short_name": short,
                "is_kota": is_kota,
                "province_code": r["bps_prov_2023"],
                "province": provinces[r["bps_prov_2023"]]["name"],
                "province_code_2010": r["bps_prov_2010"],
                "variants": tuple(
                    sorted({r[c] for c in NAME_COLUMNS if r[c]} | extra[r["bps_code_2023"]])
                ),
            }
        )
    return pd.DataFrame(rows)


def load_provinces(path: Path = PARAMS_DIR / "provinces.yaml") -> dict[str, dict]:
    return {str(k): v for k, v in yamlio.load_file(path)["provinces"].items()}


def load_aliases(path: Path = PARAMS_DIR / "district_aliases.yaml") -> list[dict]:
    return yamlio.load_file(path).get("aliases") or []


@cache
def load_registry(raw_dir: Path = RAW_DIR) -> Registry:
    provinces = load_provinces()
    districts = build_districts(read_crosswalk(raw_dir), provinces, load_aliases())
    return Registry(districts, provinces)
