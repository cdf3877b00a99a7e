"""Small hand-written samples of every source, in the publisher's form and in the mirror's form.

Each writer puts a few rows (or features) into two files: one laid out as the publisher sends
the data (after `data fetch` has joined any pages), following the publisher's documentation and
headers, and one as the mirror holds it. The values are made up; both files say the same thing.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

Writer = Callable[[Path], tuple[Path, Path]]
WRITERS: dict[str, Writer] = {}


def sample(name: str) -> Callable[[Writer], Writer]:
    """Register a writer of the two forms of one source."""

    def register(writer: Writer) -> Writer:
        WRITERS[name] = writer
        return writer

    return register


def _csv_gz(path: Path, frame: pd.DataFrame, bom: bool = False, quote_all: bool = False) -> Path:
    """A gzipped CSV as the mirror keeps its copies."""
    text = frame.to_csv(index=False, quoting=1 if quote_all else 0)
    with gzip.open(path, "wb") as handle:
        handle.write((("\ufeff" if bom else "") + text).encode("utf-8"))
    return path


def _xlsx(
    path: Path,
    sheet: str,
    frame: pd.DataFrame,
    notes: list[str] | None = None,
    notes_sheet: bool = True,
) -> Path:
    """A workbook with one data sheet (after a notes sheet, as MHCLG's), note rows on top."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        if notes_sheet:
            pd.DataFrame({"Notes": ["See the technical report."]}).to_excel(
                writer, sheet_name="Notes", index=False
            )
        frame.to_excel(writer, sheet_name=sheet, index=False, startrow=len(notes or []))
        for row, note in enumerate(notes or [], start=1):
            writer.sheets[sheet].cell(row=row, column=1, value=note)
    return path


def _features(path: Path, rows: list[dict], geometries: list | None = None) -> Path:
    """Portal features joined into one GeoJSON FeatureCollection (no geometry for tables)."""
    features = [
        {
            "type": "Feature",
            "id": number,
            "geometry": None if geometries is None else geometries[number - 1],
            "properties": row,
        }
        for number, row in enumerate(rows, start=1)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


# ---- English Indices of Deprivation -----------------------------------------------------------

IMD19 = pd.DataFrame(
    {
        "LSOA code (2011)": ["E01000001", "E01000002", "E01032739"],
        "LSOA name (2011)": ["City of London 001A", "City of London 001B", "City of London 001F"],
        "Local Authority District code (2019)": ["E09000001"] * 3,
        "Local Authority District name (2019)": ["City of London"] * 3,
        "Index of Multiple Deprivation (IMD) Rank": [29199, 30379, 1432],
        "Index of Multiple Deprivation (IMD) Decile": [9, 10, 1],
    }
)


@sample("iod2019_imd")
def iod2019_imd(folder: Path) -> tuple[Path, Path]:
    """File 1: the xlsx sheet, and the mirror's CSV with a BOM and '29,199' style ranks."""
    official = _xlsx(folder / "File_1.xlsx", "IMD2019", IMD19)
    mirror = IMD19.astype({"Index of Multiple Deprivation (IMD) Rank": "str"})
    mirror["Index of Multiple Deprivation (IMD) Rank"] = IMD19[
        "Index of Multiple Deprivation (IMD) Rank"
    ].map("{:,}".format)
    return official, _csv_gz(folder / "File_1.csv.gz", mirror, bom=True)


def _iod_domains(code_column: str, codes: list[str]) -> pd.DataFrame:
    """Ranks and deciles of the seven domains under the official IoD headers."""
    frame = pd.DataFrame({code_column: codes})
    for number, domain in enumerate(
        [
            "Index of Multiple Deprivation (IMD)",
            "Income",
            "Employment",
            "Education, Skills and Training",
            "Health Deprivation and Disability",
            "Crime",
            "Barriers to Housing and Services",
            "Living Environment",
        ]
    ):
        frame[f"{domain} Rank (where 1 is most deprived)"] = [100 + number, 2000 + number, 31000]
        frame[f"{domain} Decile (where 1 is most deprived 10% of LSOAs)"] = [1, 1, 10]
    return frame


@sample("iod2019_domains")
def iod2019_domains(folder: Path) -> tuple[Path, Path]:
    """File 2: the 'IoD2019 Domains' sheet, and the same table as the mirror's CSV."""
    table = _iod_domains("LSOA code (2011)", ["E01000001", "E01000002", "E01000003"])
    official = _xlsx(folder / "File_2.xlsx", "IoD2019 Domains", table)
    return official, _csv_gz(folder / "File_2.csv.gz", table, bom=True)


def _idaci(year: str, lad_year: str) -> pd.DataFrame:
    """File 3's ten columns, IDACI and IDAOPI ranks and deciles."""
    rank = "Rank (where 1 is most deprived)"
    decile = "Decile (where 1 is most deprived 10% of LSOAs)"
    return pd.DataFrame(
        {
            f"LSOA code ({year})": ["E01000001", "E01000002"],
            f"LSOA name ({year})": ["City of London 001A", "City of London 001B"],
            f"Local Authority District code ({lad_year})": ["E09000001", "E09000001"],
            f"Local Authority District name ({lad_year})": ["City of London", "City of London"],
            f"Index of Multiple Deprivation (IMD) {rank}": [29199, 30379],
            f"Index of Multiple Deprivation (IMD) {decile}": [9, 10],
            f"Income Deprivation Affecting Children Index (IDACI) {rank}": [32002, 31010],
            f"Income Deprivation Affecting Children Index (IDACI) {decile}": [10, 10],
            f"Income Deprivation Affecting Older People (IDAOPI) {rank}": [31000, 30005],
            f"Income Deprivation Affecting Older People (IDAOPI) {decile}": [10, 10],
        }
    )


@sample("iod2019_idaci")
def iod2019_idaci(folder: Path) -> tuple[Path, Path]:
    """File 3 (2019): the xlsx sheet and its CSV conversion."""
    table = _idaci("2011", "2019")
    official = _xlsx(folder / "File_3.xlsx", "IoD2019 IDACI & IDAOPI", table)
    return official, _csv_gz(folder / "File_3.csv.gz", table)


@sample("iod2025_idaci")
def iod2025_idaci(folder: Path) -> tuple[Path, Path]:
    """File 3 (2025): the xlsx sheet and its CSV conversion."""
    table = _idaci("2021", "2024")
    official = _xlsx(folder / "File_3_2025.xlsx", "IoD2025 IDACI & IDAOPI", table)
    return official, _csv_gz(folder / "File_3_2025.csv.gz", table)


@sample("iod2025_imd")
def iod2025_imd(folder: Path) -> tuple[Path, Path]:
    """File 7 (long official headers, more columns) and humaniverse/IMD's short-named extract."""
    domains = {
        "Index of Multiple Deprivation (IMD)": "IMD",
        "Income": "Income",
        "Employment": "Employment",
        "Education, Skills and Training": "Education",
        "Health Deprivation and Disability": "Health",
        "Crime": "Crime",
        "Barriers to Housing and Services": "Housing_and_Services",
        "Living Environment": "Environment",
    }
    codes = ["E01000001", "E01000002"]
    official = pd.DataFrame(
        {
            "LSOA code (2021)": codes,
            "LSOA name (2021)": ["City of London 001A", "City of London 001B"],
            "Local Authority District code (2024)": ["E09000001"] * 2,
            "Local Authority District name (2024)": ["City of London"] * 2,
            "Index of Multiple Deprivation (IMD) Score": [8.742, 6.25],
        }
    )
    mirror = pd.DataFrame({"lsoa21_code": codes})
    for number, (name, short) in enumerate(domains.items()):
        official[f"{name} Rank (where 1 is most deprived)"] = [26525 - number, 29000 + number]
        official[f"{name} Decile (where 1 is most deprived 10% of LSOAs)"] = [8, 9]
        mirror[f"{short}_decile"] = [8, 9]
        mirror[f"{short}_rank"] = [26525 - number, 29000 + number]
    official["Income Score (rate)"] = [0.013, 0.02]
    official["Dependent Children aged 0-15: mid 2022 (excluding prisoners)"] = [125, 140]
    mirror["IMD_score"] = [8.742, 6.25]
    mirror["Income_score"] = [0.013, 0.02]
    official.to_csv(folder / "File_7.csv", index=False)
    return folder / "File_7.csv", _csv_gz(folder / "imd2025.csv.gz", mirror, quote_all=True)


# ---- Boundaries ---------------------------------------------------------------------------------


def _square(x: float, y: float, size: float = 0.01) -> dict:
    """A GeoJSON polygon (longitude, latitude) as the portal returns with outSR=4326."""
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


BOW_TIE = {  # a self-intersecting ring, as published BGC polygons sometimes have
    "type": "Polygon",
    "coordinates": [[[-0.1, 51.5], [-0.09, 51.51], [-0.09, 51.5], [-0.1, 51.51], [-0.1, 51.5]]],
}


def _mirror_geometry(geojson: dict):
    """What the mirror holds for a published polygon: valid and a MultiPolygon."""
    geometry = shapely.from_geojson(json.dumps(geojson))
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    if geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    return geometry


@sample("boundaries_lsoa11_bgc")
def boundaries_lsoa11_bgc(folder: Path) -> tuple[Path, Path]:
    """Portal features (with FID, Welsh names, areas) and martinjc's GeoParquet copy."""
    rows = [
        {"FID": 1, "LSOA11CD": "E01000001", "LSOA11NM": "City of London 001A", "LSOA11NMW": ""},
        {"FID": 2, "LSOA11CD": "E01000002", "LSOA11NM": "City of London 001B", "LSOA11NMW": ""},
        {"FID": 3, "LSOA11CD": "W01000001", "LSOA11NM": "Isle of Anglesey 007A", "LSOA11NMW": ""},
    ]
    shapes = [_square(-0.1, 51.5), BOW_TIE, _square(-4.3, 53.3)]
    official = _features(folder / "bgc11.geojson", rows, shapes)
    mirror = gpd.GeoDataFrame(
        {
            "LSOA11CD": [row["LSOA11CD"] for row in rows],
            "LSOA11NM": [row["LSOA11NM"] for row in rows],
        },
        geometry=[_mirror_geometry(shape) for shape in shapes],
        crs="EPSG:4326",
    )
    mirror.to_parquet(folder / "bgc11.parquet")
    return official, folder / "bgc11.parquet"


@sample("boundaries_lsoa21_bsc")
def boundaries_lsoa21_bsc(folder: Path) -> tuple[Path, Path]:
    """Portal features (LSOA21CD, LSOA21NM, GlobalID) and geographr's GeoParquet copy."""
    rows = [
        {"FID": 1, "LSOA21CD": "E01000001", "LSOA21NM": "City of London 001A", "GlobalID": "a"},
        {"FID": 2, "LSOA21CD": "W01000002", "LSOA21NM": "Isle of Anglesey 001B", "GlobalID": "b"},
    ]
    shapes = [_square(-0.1, 51.5), _square(-4.3, 53.3)]
    official = _features(folder / "bsc21.geojson", rows, shapes)
    mirror = gpd.GeoDataFrame(
        {
            "lsoa21_name": [row["LSOA21NM"] for row in rows],
            "lsoa21_code": [row["LSOA21CD"] for row in rows],
        },
        geometry=[_mirror_geometry(shape) for shape in shapes],
        crs="EPSG:4326",
    )
    mirror.to_parquet(folder / "bsc21.parquet")
    return official, folder / "bsc21.parquet"


# ---- Lookups (portal tables) -----------------------------------------------------------------


def _lookup(folder: Path, name: str, official: list[dict], renames: dict[str, str]):
    """A portal table's features and geographr's CSV of it under lower-case names."""
    frame = pd.DataFrame(official)
    mirror = frame[list(renames)].rename(columns=renames)
    return (
        _features(folder / f"{name}.geojson", official),
        _csv_gz(folder / f"{name}.csv.gz", mirror, quote_all=True),
    )


@sample("lookup_lsoa21_ltla24")
def lookup_lsoa21_ltla24(folder: Path) -> tuple[Path, Path]:
    """LSOA21 -> ward 2024 -> LAD 2024, with the portal's ObjectId."""
    rows = [
        {
            "LSOA21CD": "E01012049",
            "LSOA21NM": "Middlesbrough 014A",
            "WD24CD": "E05009861",
            "WD24NM": "Ladgate",
            "LAD24CD": "E06000002",
            "LAD24NM": "Middlesbrough",
            "ObjectId": 1,
        },
        {
            "LSOA21CD": "W01000001",
            "LSOA21NM": "Isle of Anglesey 007A",
            "WD24CD": "W05001500",
            "WD24NM": "Aethwy",
            "LAD24CD": "W06000001",
            "LAD24NM": "Isle of Anglesey",
            "ObjectId": 2,
        },
    ]
    renames = {
        "LSOA21NM": "lsoa21_name",
        "LSOA21CD": "lsoa21_code",
        "WD24NM": "ward24_name",
        "WD24CD": "ward24_code",
        "LAD24NM": "ltla24_name",
        "LAD24CD": "ltla24_code",
    }
    return _lookup(folder, "lsoa21_ltla24", rows, renames)


@sample("lookup_lsoa11_ltla21")
def lookup_lsoa11_ltla21(folder: Path) -> tuple[Path, Path]:
    """The portal item's xlsx (LSOA11 -> ward 2021 -> LAD 2021) and geographr's CSV."""
    table = pd.DataFrame(
        {
            "LSOA11CD": ["E01012000", "E01011949"],
            "LSOA11NM": ["Hartlepool 007E", "Hartlepool 009A"],
            "WD21CD": ["E05008942", "E05008943"],
            "WD21NM": ["Burn Valley", "De Bruce"],
            "LAD21CD": ["E06000001", "E06000001"],
            "LAD21NM": ["Hartlepool", "Hartlepool"],
        }
    )
    official = _xlsx(
        folder / "lsoa11_ltla21.xlsx", "LSOA11_WD21_LAD21_EW_LU", table, notes_sheet=False
    )
    renames = {
        "LSOA11NM": "lsoa11_name",
        "LSOA11CD": "lsoa11_code",
        "LAD21NM": "ltla21_name",
        "LAD21CD": "ltla21_code",
    }
    mirror = table[list(renames)].rename(columns=renames)
    return official, _csv_gz(folder / "lsoa11_ltla21.csv.gz", mirror, quote_all=True)


@sample("lookup_ltla22_ltla23")
def lookup_ltla22_ltla23(folder: Path) -> tuple[Path, Path]:
    """LAD 2022 -> LAD 2023, with one of the April 2023 mergers."""
    rows = [
        {"LAD22CD": "E06000001", "LAD22NM": "Hartlepool", "LAD23CD": "E06000001"},
        {"LAD22CD": "E07000026", "LAD22NM": "Allerdale", "LAD23CD": "E06000063"},
    ]
    rows[0]["LAD23NM"], rows[1]["LAD23NM"] = "Hartlepool", "Cumberland"
    renames = {
        "LAD22CD": "ltla22_code",
        "LAD22NM": "ltla22_name",
        "LAD23CD": "ltla23_code",
        "LAD23NM": "ltla23_name",
    }
    return _lookup(folder, "ltla22_ltla23", rows, renames)


@sample("lookup_ltla23_utla23")
def lookup_ltla23_utla23(folder: Path) -> tuple[Path, Path]:
    """LTLA 2023 -> UTLA 2023 (a district in a county, and a unitary authority)."""
    rows = [
        {
            "LTLA23CD": "E07000008",
            "LTLA23NM": "Cambridge",
            "UTLA23CD": "E10000003",
            "UTLA23NM": "Cambridgeshire",
            "ObjectId": 1,
        },
        {
            "LTLA23CD": "E06000001",
            "LTLA23NM": "Hartlepool",
            "UTLA23CD": "E06000001",
            "UTLA23NM": "Hartlepool",
            "ObjectId": 2,
        },
    ]
    renames = {
        "LTLA23CD": "ltla23_code",
        "LTLA23NM": "ltla23_name",
        "UTLA23CD": "utla23_code",
        "UTLA23NM": "utla23_name",
    }
    return _lookup(folder, "ltla23_utla23", rows, renames)


@sample("lookup_ltla24_region24")
def lookup_ltla24_region24(folder: Path) -> tuple[Path, Path]:
    """LAD 2024 -> region, England."""
    rows = [
        {"LAD24CD": "E06000001", "LAD24NM": "Hartlepool", "RGN24CD": "E12000001"},
        {"LAD24CD": "E09000001", "LAD24NM": "City of London", "RGN24CD": "E12000007"},
    ]
    rows[0]["RGN24NM"], rows[1]["RGN24NM"] = "North East", "London"
    renames = {
        "LAD24NM": "ltla24_name",
        "LAD24CD": "ltla24_code",
        "RGN24NM": "region24_name",
        "RGN24CD": "region24_code",
    }
    return _lookup(folder, "ltla24_region24", rows, renames)


@sample("lookup_lsoa11_lsoa21")
def lookup_lsoa11_lsoa21(folder: Path) -> tuple[Path, Path]:
    """The exact-fit lookup (F_LSOA11CD, a repeated row) and geographr's distinct rows."""
    unchanged = {
        "F_LSOA11CD": "E01011949",
        "LSOA11NM": "Hartlepool 009A",
        "CHGIND": "U",
        "LSOA21CD": "E01011949",
        "LSOA21NM": "Hartlepool 009A",
        "LAD22CD": "E06000001",
        "LAD22NM": "Hartlepool",
    }
    split = [
        {
            **unchanged,
            "F_LSOA11CD": "E01000002",
            "LSOA11NM": "City of London 001B",
            "CHGIND": "S",
            "LSOA21CD": code,
            "LSOA21NM": name,
            "LAD22CD": "E09000001",
            "LAD22NM": "City of London",
        }
        for code, name in (
            ("E01033709", "City of London 001G"),
            ("E01033710", "City of London 001H"),
        )
    ]
    rows = [unchanged, *split, dict(unchanged)]
    official = _features(folder / "lsoa11_lsoa21.geojson", rows)
    renames = {
        "LSOA11NM": "lsoa11_name",
        "F_LSOA11CD": "lsoa11_code",
        "CHGIND": "change_code",
        "LSOA21NM": "lsoa21_name",
        "LSOA21CD": "lsoa21_code",
        "LAD22NM": "ltla22_name",
        "LAD22CD": "ltla22_code",
    }
    mirror = pd.DataFrame(rows[:3])[list(renames)].rename(columns=renames)
    return official, _csv_gz(folder / "lsoa11_lsoa21.csv.gz", mirror, quote_all=True)


@sample("lookup_lsoa11_utla19")
def lookup_lsoa11_utla19(folder: Path) -> tuple[Path, Path]:
    """LSOA11 -> UTLA 2019: the service's features and the portal's CSV download."""
    table = pd.DataFrame(
        {
            "FID": [1, 2],
            "LSOA11CD": ["E01000205", "E01018270"],
            "LSOA11NM": ["Barnet 035A", "Allerdale 001A"],
            "UTLA19CD": ["E09000003", "E10000006"],
            "UTLA19NM": ["Barnet", "Cumbria"],
        }
    )
    official = _features(folder / "lsoa11_utla19.geojson", table.to_dict("records"))
    return official, _csv_gz(folder / "LSOA11_UTLA19_EW_LU.csv.gz", table)


@sample("lookup_msoa11_msoa21_lad22")
def lookup_msoa11_msoa21_lad22(folder: Path) -> tuple[Path, Path]:
    """MSOA11 -> MSOA21 -> LAD 2022: the service's features and the portal's CSV (BOM)."""
    table = pd.DataFrame(
        {
            "MSOA11CD": ["E02000001", "E02000664", "E02000664"],
            "MSOA11NM": ["City of London 001", "Lewisham 012", "Lewisham 012"],
            "CHGIND": ["U", "S", "S"],
            "MSOA21CD": ["E02000001", "E02007008", "E02007009"],
            "MSOA21NM": ["City of London 001", "Lewisham 040", "Lewisham 041"],
            "LAD22CD": ["E09000001", "E09000023", "E09000023"],
            "LAD22NM": ["City of London", "Lewisham", "Lewisham"],
            "LAD22NMW": ["", "", ""],
            "ObjectId": [1, 2, 3],
        }
    )
    official = _features(folder / "msoa11_msoa21.geojson", table.to_dict("records"))
    return official, _csv_gz(folder / "MSOA11_to_MSOA21.csv.gz", table, bom=True)


# ---- Populations and Census 2021 ----------------------------------------------------------------


@sample("population20_lsoa11")
def population20_lsoa11(folder: Path) -> tuple[Path, Path]:
    """SAPE23DT2's 'Mid-2020 Persons' sheet (notes above the header) and demographr's CSV."""
    ages = [str(age) for age in range(90)] + ["90+"]
    counts = [[(age % 7) + 10 for age in range(91)], [(age % 5) + 20 for age in range(91)]]
    sheet = pd.DataFrame(
        {
            "LSOA Code": ["E01011949", "W01000001"],
            "LSOA Name": ["Hartlepool 009A", "Isle of Anglesey 007A"],
            "LA Code (2018 boundaries)": ["E06000001", "W06000001"],
            "LA name (2018 boundaries)": ["Hartlepool", "Isle of Anglesey"],
            "LA Code (2021 boundaries)": ["E06000001", "W06000001"],
            "LA name (2021 boundaries)": ["Hartlepool", "Isle of Anglesey"],
            "All Ages": [sum(row) for row in counts],
        }
    )
    ages_frame = pd.DataFrame(counts, columns=[int(age) if age.isdigit() else age for age in ages])
    sheet = pd.concat([sheet, ages_frame], axis=1)
    notes = [
        "Mid-2020 Population Estimates for Lower Layer Super Output Areas in England and Wales",
        "by Single Year of Age and Sex",
        "All Persons",
        "",
    ]
    official = _xlsx(folder / "sape23dt2.xlsx", "Mid-2020 Persons", sheet, notes)
    mirror = pd.DataFrame(
        {
            "lsoa11_name": sheet["LSOA Name"],
            "lsoa11_code": sheet["LSOA Code"],
            "total_population": sheet["All Ages"],
        }
    )
    mirror = pd.concat([mirror, pd.DataFrame(counts, columns=ages)], axis=1)
    return official, _csv_gz(folder / "population20.csv.gz", mirror, quote_all=True)


AGE6 = [
    "Aged 15 years and under",
    "Aged 16 to 24 years",
    "Aged 25 to 34 years",
    "Aged 35 to 49 years",
    "Aged 50 to 64 years",
    "Aged 65 years and over",
]


@sample("census21_age6_lsoa21")
def census21_age6_lsoa21(folder: Path) -> tuple[Path, Path]:
    """The census API's observations (LSOA x resident_age_6a) and the long mirror CSV."""
    rows = [
        (code, name, number, band, 100 + number * 10 + offset)
        for offset, (code, name) in enumerate(
            [("E01000001", "City of London 001A"), ("W01000001", "Isle of Anglesey 007A")]
        )
        for number, band in enumerate(AGE6, start=1)
    ]
    official = pd.DataFrame(
        rows,
        columns=[
            "area_code",
            "area_name",
            "resident_age_6a_code",
            "resident_age_6a",
            "observation",
        ],
    )
    official.to_csv(folder / "age6.csv.gz", index=False)
    mirror = pd.DataFrame(
        {
            "lsoa21_code": official["area_code"],
            "lsoa21_name": official["area_name"],
            "age_group": official["resident_age_6a"],
            "usual_residents": official["observation"],
        }
    )
    return folder / "age6.csv.gz", _csv_gz(folder / "census21_pop.csv.gz", mirror, quote_all=True)


TS021_GROUPS = {
    "Asian, Asian British or Asian Welsh": {"Bangladeshi": 10, "Chinese": 5},
    "Black, Black British, Black Welsh, Caribbean or African": {"African": 7},
    "Mixed or Multiple ethnic groups": {"White and Asian": 3},
    "White": {"English, Welsh, Scottish, Northern Irish or British": 900, "Irish": 20},
    "Other ethnic group": {"Arab": 4, "Any other ethnic group": 1},
}


@sample("ethnicity21_lsoa21")
def ethnicity21_lsoa21(folder: Path) -> tuple[Path, Path]:
    """Nomis's TS021 zip (wide LSOA CSV with detailed groups) and demographr's long table."""
    official = pd.DataFrame({"date": [2021, 2021], "geography": ["City of London 001A", "X"]})
    official["geography code"] = ["E01000001", "W01000001"]
    long = []
    totals = [0, 0]
    columns = {}
    for group, detail in TS021_GROUPS.items():
        counts = [sum(detail.values()), sum(detail.values()) * 2]
        columns[f"Ethnic group: {group}"] = counts
        for name, count in detail.items():
            columns[f"Ethnic group: {group}: {name}"] = [count, count * 2]
        totals = [totals[0] + counts[0], totals[1] + counts[1]]
    official["Ethnic group: Total: All usual residents"] = totals
    official = pd.concat([official, pd.DataFrame(columns)], axis=1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("census2021-ts021-lsoa.csv", official.to_csv(index=False))
        archive.writestr("census2021-ts021-ltla.csv", "date,geography,geography code\n")
    (folder / "census2021-ts021.zip").write_bytes(buffer.getvalue())
    for row, code in enumerate(["E01000001", "W01000001"]):
        for group in TS021_GROUPS:
            count = columns[f"Ethnic group: {group}"][row]
            long.append((code, totals[row], group, count, count / totals[row]))
    mirror = pd.DataFrame(
        long, columns=["lsoa21_code", "total_residents", "ethnic_group", "n", "prop"]
    )
    return folder / "census2021-ts021.zip", _csv_gz(folder / "ethnicity21.csv.gz", mirror)


AGE13 = ["Aged 15 years and under", "Aged 16 to 19 years", "Aged 65 years and over"]


@sample("ethnicity_age_msoa21")
def ethnicity_age_msoa21(folder: Path) -> tuple[Path, Path]:
    """Census API observations (MSOA x 6 groups x sex x age) and VirtUK's wide rows."""
    groups = [(-8, "Does not apply"), *enumerate(TS021_GROUPS, start=1)]
    rows, mirror = [], []
    for area in ("E02000001", "W02000001"):
        for sex_code, sex in ((1, "Female"), (2, "Male")):
            for group_code, group in groups:
                counts = [0, 0, 0] if group_code == -8 else [group_code * 3 + sex_code, 5, 9]
                for age_code, (band, count) in enumerate(zip(AGE13, counts, strict=True), 1):
                    rows.append(
                        (
                            area,
                            f"{area} name",
                            group_code,
                            group,
                            sex_code,
                            sex,
                            age_code,
                            band,
                            count,
                        )
                    )
                if group_code != -8:
                    short = group.split(",")[0].split(" ")[0]
                    mirror.append((area, sex, short, sum(counts), *counts))
    official = pd.DataFrame(
        rows,
        columns=[
            "area_code",
            "area_name",
            "ethnic_group_tb_6a_code",
            "ethnic_group_tb_6a",
            "sex_code",
            "sex",
            "resident_age_13a_code",
            "resident_age_13a",
            "observation",
        ],
    )
    official.to_csv(folder / "msoa_ethnic.csv.gz", index=False)
    virtuk = pd.DataFrame(
        mirror, columns=["msoa", "sex", "Ethnicity", "Total", "0-15", "16-19", "65-99"]
    )
    return folder / "msoa_ethnic.csv.gz", _csv_gz(folder / "virtuk.csv.gz", virtuk)


# ---- Tables copied as published (DfE, ONS via DfE) --------------------------------------------

EES_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name"
)


def _published_copy(folder: Path, name: str, text: str, bom: bool) -> tuple[Path, Path]:
    """The publisher's CSV and the mirror's gzipped copy of it (BOM and markers kept)."""
    official = folder / f"{name}.csv"
    official.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    mirror = folder / f"{name}.csv.gz"
    with gzip.open(mirror, "wb") as handle:
        handle.write(official.read_bytes())
    return official, mirror


@sample("dfe_b1")
def dfe_b1(folder: Path) -> tuple[Path, Path]:
    """B1: children in need by authority (suppressed 'c' and blank codes kept as text)."""
    text = (
        f"{EES_HEADER},category,At31_episodes,Started_episodes\n"
        "2025,Reporting year,National,E92000001,England,,,,,,Children in Need,402400,396870\n"
        "2025,Reporting year,Local authority,E92000001,England,E12000001,North East,841,"
        "E06000005,Darlington,Children in Need,c,1250\n"
    )
    return _published_copy(folder, "b1", text, bom=False)


@sample("dfe_c1")
def dfe_c1(folder: Path) -> tuple[Path, Path]:
    """C1: referrals and re-referrals (percentages kept as published text)."""
    text = (
        f"{EES_HEADER},category,referral_count,rereferral_percent\n"
        "2025,Reporting year,National,E92000001,England,,,,,,Referrals and Re-referrals,"
        "632830,22.6\n"
        "2025,Reporting year,Local authority,E92000001,England,E12000001,North East,841,"
        "E06000005,Darlington,Referrals and Re-referrals,2100,z\n"
    )
    return _published_copy(folder, "c1", text, bom=False)


@sample("dfe_d5")
def dfe_d5(folder: Path) -> tuple[Path, Path]:
    """D5: child protection plans at 31 March by duration (quoted empty strings)."""
    text = (
        f"{EES_HEADER},category,CPP_At31,3_months_or_less\n"
        '2025,Reporting year,National,E92000001,England,"","",,"","",Child Protection Plans by '
        "length of time,49420,15580\n"
        "2025,Reporting year,Local authority,E92000001,England,E12000001,North East,841,"
        "E06000005,Darlington,Child Protection Plans by length of time,x,k\n"
    )
    return _published_copy(folder, "d5", text, bom=False)


@sample("dfe_cla")
def dfe_cla(folder: Path) -> tuple[Path, Path]:
    """CLA numbers and rates per 10,000 (the catalogue's CSV, with a byte-order mark)."""
    text = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,la_name,new_la_code,population_type,population_estimate,"
        "children_count,rate_per_10000\n"
        "2025,Reporting year,National,E92000001,England,,,,,,Children looked after on 31 March "
        "each year,12183016,81770,67\n"
        "2025,Reporting year,Local authority,E92000001,England,E12000001,North East,841,"
        "Darlington,E06000005,Children looked after on 31 March each year,23000,c,c\n"
    )
    return _published_copy(folder, "cla", text, bom=True)


@sample("mye_children_la")
def mye_children_la(folder: Path) -> tuple[Path, Path]:
    """Children aged 0-17 by authority as issued with Children in need ('x' where unavailable)."""
    text = (
        f"{EES_HEADER},age_group,population_estimate\n"
        "2024,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,12183016\n"
        "2018,Reporting year,Local authority,E92000001,England,E12000009,South West,835,"
        "E10000009,Dorset,Children aged 0 to 17 years,x\n"
    )
    return _published_copy(folder, "mye", text, bom=False)


@sample("dfe_sn")
def dfe_sn(folder: Path) -> tuple[Path, Path]:
    """Statistical neighbours, wide (10 neighbours and their closeness), with a BOM."""
    neighbours = ",".join(f"SN_{n},SN_{n}P" for n in range(1, 11))
    values = ",".join(f"{300 + n},Close " for n in range(1, 11))
    text = (
        f"old_la_code,la_name,region_ind,region_name,{neighbours}\n"
        f"301,Barking and Dagenham,3,London,{values}\n"
    )
    return _published_copy(folder, "sn", text, bom=True)


@sample("dfe_ethnic_population")
def dfe_ethnic_population(folder: Path) -> tuple[Path, Path]:
    """The ONS custom dataset (2023 UTLA x 20 ethnic groups) as DfE keeps it."""
    text = (
        "2023 Upper tier local authorities Code,2023 Upper tier local authorities,"
        "Ethnic group (20 categories) Code,Ethnic group (20 categories),Observation\n"
        "E06000001,Hartlepool,-8,Does not apply,0\n"
        'E06000001,Hartlepool,1,"Asian, Asian British or Asian Welsh: Bangladeshi",120\n'
    )
    return _published_copy(folder, "ethnic_population", text, bom=False)


@sample("cwip_gradient")
def cwip_gradient(folder: Path) -> tuple[Path, Path]:
    """The teaching page's R vectors (10 = most deprived) and the CSV with 1 = most deprived."""
    cpp_england, cla_england = (
        [5, 7, 9, 12, 15, 20, 26, 35, 50, 90],
        [6, 8, 10, 13, 17, 22, 30, 41, 60, 100],
    )
    cpp_wales, cla_wales = (
        [2, 3, 5, 8, 11, 15, 21, 30, 45, 80],
        [3, 5, 7, 9, 14, 19, 27, 38, 55, 95],
    )
    vector = ", ".join
    rmd = (
        "---\ntitle: Introducing Child Welfare Inequalities\n---\n\n```{r}\n"
        "cwi_rates <- tibble(depr = c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, "
        "1, 2, 3, 4, 5, 6, 7, 8, 9, 10),\n"
        f"                    cpp = c({vector(map(str, cpp_england + cpp_wales))}), \n"
        f"                    cla = c({vector(map(str, cla_england + cla_wales))}),\n"
        '                    country = c(rep("England", 10), rep("Wales", 10)))\n```\n'
    )
    (folder / "page.Rmd").write_text(rmd)
    rows = [
        (country, 11 - depr, cpp[depr - 1], cla[depr - 1])
        for country, cpp, cla in (
            ("England", cpp_england, cla_england),
            ("Wales", cpp_wales, cla_wales),
        )
        for depr in range(10, 0, -1)
    ]
    mirror = pd.DataFrame(
        rows,
        columns=[
            "country",
            "imd_decile_most_deprived_is_1",
            "cpp_rate_per_10000",
            "cla_rate_per_10000",
        ],
    )
    mirror.to_csv(folder / "gradient.csv", index=False)
    return folder / "page.Rmd", folder / "gradient.csv"
