"""The build steps: each reads sources through the context and writes its store tables."""

from __future__ import annotations

from importlib import metadata

import pandas as pd

from csc_inequalities.build import boundaries, ethnicity, geography, indices, population, postcodes
from csc_inequalities.build.checks import (
    AUTHORITY_PATTERN,
    DISTRICT_PATTERN,
    LSOA_PATTERN,
    REGION_PATTERN,
    BuildCheckError,
    check_authority_count,
    check_codes,
    check_deciles,
    check_each_lsoa_in_one_authority,
    check_no_missing,
    check_row_count,
    check_unique,
)
from csc_inequalities.build.context import POSTCODE_ROW_GROUP, BuildContext

AUTHORITY_COUNT = 153
TEXT_COPIES = {
    "dfe_b1": "dfe_b1",
    "dfe_c1": "dfe_c1",
    "dfe_d5": "dfe_d5",
    "dfe_cla": "dfe_cla",
    "dfe_sn": "dfe_sn",
    "dfe_ethnic_population": "dfe_ethnic_population",
    "mye_children_la": "mye_children_la",
}


def geography_step(ctx: BuildContext) -> None:
    """Authorities and each LSOA's district, authority and region in both geographies."""
    districts = geography.upper_tier_districts(
        ctx.read("lookup_ltla23_utla23"), ctx.read("lookup_ltla24_region24")
    )
    ctx.frames["geo_2021"] = geography.lsoa21_geography(ctx.read("lookup_lsoa21_ltla24"), districts)
    ctx.write("wards_2021", geography.lsoa21_wards(ctx.read("lookup_lsoa21_ltla24")))
    ctx.frames["geo_2011"] = geography.lsoa11_geography(
        ctx.read("lookup_lsoa11_ltla21"), ctx.read("lookup_ltla22_ltla23"), districts
    )
    ctx.frames["authorities"] = geography.authorities_base(
        districts,
        ctx.read("mye_children_la"),
        ctx.read("lookup_lsoa11_utla19"),
        ctx.frames["geo_2011"],
    )
    check_row_count(ctx.frames["authorities"], AUTHORITY_COUNT, "authorities")


def population_step(ctx: BuildContext) -> None:
    """Children 0-17 by single year on both geographies, and the exact-fit lookup's weights."""
    children11 = population.children_2011(ctx.read("population20_lsoa11"))
    exact_fit = ctx.read("lookup_lsoa11_lsoa21")
    weights = population.exact_fit_weights(
        exact_fit, population.census_children_2021(ctx.read("census21_age6_lsoa21"))
    )
    children21 = population.children_2021(children11, weights)
    ctx.notes["children_0_17_england"] = {
        "lsoa_2011": float(children11["children_0_17"].sum()),
        "lsoa_2021": float(children21["children_0_17"].sum()),
    }
    ctx.frames.update(children_2011=children11, children_2021=children21, exact_fit=exact_fit)
    ctx.write("lsoa_11_21", population.lsoa_lookup(weights, children11, children21))


def ethnicity_step(ctx: BuildContext) -> None:
    """Census 2021 group shares per LSOA (both geographies) and children 0-15 per authority."""
    counts21 = ethnicity.residents_by_group_2021(ctx.read("ethnicity21_lsoa21"))
    counts11 = ethnicity.residents_by_group_2011(
        counts21, ctx.frames["exact_fit"], ctx.frames["children_2011"]
    )
    ctx.frames["ethnicity_2021"] = ethnicity.shares(counts21)
    ctx.frames["ethnicity_2011"] = ethnicity.shares(counts11)
    source = ctx.manifest.sources["ethnicity_age_msoa21"]
    england_children = int(source.extra["england_children_0_15"])
    msoas = ethnicity.english_msoas(
        ctx.read("ethnicity_age_msoa21"),
        ctx.read("lookup_msoa11_msoa21_lad22"),
        ctx.read("lookup_ltla22_ltla23"),
        ctx.read("lookup_ltla23_utla23"),
    )
    ctx.write("ethnicity_children_la", ethnicity.children_by_group_la(msoas, england_children))
    ctx.write("children_sex_la", ethnicity.children_by_sex_la(msoas, england_children))


def lsoa_tables_step(ctx: BuildContext) -> None:
    """One row per LSOA: geography, index ranks and deciles, children, ethnic composition."""
    index_2011 = indices.iod2019(
        ctx.read("iod2019_imd"),
        ctx.read("iod2019_domains"),
        ctx.read("iod2019_idaci"),
    )
    index_2025 = indices.iod2025(ctx.read("iod2025_imd"), ctx.read("iod2025_idaci"))
    for year, index in (("2011", index_2011), ("2021", index_2025)):
        table = _assemble_lsoas(ctx, year, index)
        ctx.frames[f"lsoa_{year}"] = table
        ctx.write(f"lsoa_{year}", table)


def _assemble_lsoas(ctx: BuildContext, year: str, index: pd.DataFrame) -> pd.DataFrame:
    """Join the parts of one geography's LSOA table and check it."""
    name = f"lsoa_{year}"
    geo = ctx.frames[f"geo_{year}"]
    children = ctx.frames[f"children_{year}"][["lsoa_code", "children_0_17", *population.AGES]]
    table = (
        geo.merge(index, on="lsoa_code", how="inner", validate="one_to_one")
        .merge(children, on="lsoa_code", how="left", validate="one_to_one")
        .merge(ctx.frames[f"ethnicity_{year}"], on="lsoa_code", how="left", validate="one_to_one")
        .sort_values("lsoa_code", ignore_index=True)
    )
    for key, frame in (("geography", geo), ("index", index)):
        if len(frame) != len(table):
            raise BuildCheckError(
                f"{name}: the {key} table has {len(frame):,} LSOAs, joined {len(table):,}."
            )
    check_unique(table, "lsoa_code", name)
    check_codes(table, "lsoa_code", LSOA_PATTERN, name)
    check_codes(table, "lad_code", DISTRICT_PATTERN, name)
    check_codes(table, "la_code", AUTHORITY_PATTERN, name)
    check_codes(table, "region_code", REGION_PATTERN, name)
    check_deciles(table, ["imd_decile"] + [f"{d}_decile" for d in indices.DOMAINS], name)
    check_no_missing(table, ["children_0_17", "residents_2021", *ethnicity.SHARE_COLUMNS], name)
    check_each_lsoa_in_one_authority(table, ctx.frames["authorities"], name)
    check_authority_count(table, AUTHORITY_COUNT, name)
    return table


def authorities_step(ctx: BuildContext) -> None:
    """The authorities table with LSOA counts and children in both geographies."""
    authorities = ctx.frames["authorities"]
    for year in ("2011", "2021"):
        per_la = (
            ctx.frames[f"lsoa_{year}"]
            .groupby("la_code")
            .agg(lsoas=("lsoa_code", "size"), children=("children_0_17", "sum"))
        )
        authorities[f"n_lsoa_{year}"] = authorities["la_code"].map(per_la["lsoas"]).astype(int)
        authorities[f"children_{year}"] = (
            authorities["la_code"].map(per_la["children"]).astype(float)
        )
    ctx.write(
        "authorities",
        authorities[
            [
                "la_code",
                "la_name",
                "region_code",
                "region_name",
                "dfe_la_number",
                "previous_codes",
                "n_lsoa_2011",
                "n_lsoa_2021",
                "children_2011",
                "children_2021",
            ]
        ].sort_values("la_code", ignore_index=True),
    )


def boundaries_step(ctx: BuildContext) -> None:
    """Screen boundaries: 2011 BGC coverage simplified; 2021 BSC kept as published."""
    full_2011 = boundaries.english_polygons(ctx.read_geo("boundaries_lsoa11_bgc"), "LSOA11CD")
    coarse_2021 = boundaries.english_polygons(ctx.read_geo("boundaries_lsoa21_bsc"), "lsoa21_code")
    ctx.frames.update(polygons_2011=full_2011, polygons_2021=coarse_2021)
    simplified = boundaries.simplify_coverage(full_2011, boundaries.SIMPLIFY_TOLERANCE_M)
    for year, polygons in (("2011", simplified), ("2021", coarse_2021)):
        table = boundaries.with_authority(
            boundaries.screen_geometry(polygons), ctx.frames[f"lsoa_{year}"], f"boundaries_{year}"
        )
        ctx.write_geo(f"boundaries_{year}", table)


def postcodes_step(ctx: BuildContext) -> None:
    """Every English postcode's 2011 and 2021 LSOA and authority, for reading address files."""
    table = postcodes.postcode_lsoas(
        postcodes.load_english_postcodes(),
        ctx.frames["polygons_2011"],
        ctx.frames["polygons_2021"],
        ctx.frames["exact_fit"][ctx.frames["exact_fit"]["lsoa11_code"].str.startswith("E01")],
        ctx.frames["lsoa_2021"].set_index("lsoa_code")["la_code"],
    )
    ctx.notes["postcodes"] = dict(table.attrs)
    check_unique(table, "postcode", "postcodes")
    check_no_missing(table, ["lsoa11_code", "lsoa21_code", "la_code"], "postcodes")
    ctx.write("postcodes", table, row_group_size=POSTCODE_ROW_GROUP)


def reference_tables_step(ctx: BuildContext) -> None:
    """The CWIP national gradient, and DfE/ONS tables copied as text for later interpretation."""
    cwip = ctx.read("cwip_gradient").rename(columns={"imd_decile_most_deprived_is_1": "decile"})
    check_deciles(cwip, ["decile"], "cwip_gradient")
    ctx.write(
        "cwip_gradient", cwip[["country", "decile", "cpp_rate_per_10000", "cla_rate_per_10000"]]
    )
    for source, table in TEXT_COPIES.items():
        ctx.write(table, ctx.read(source))


def package_versions(ctx: BuildContext) -> dict[str, str]:
    """Versions of installed packages the store is built from (instead of their checksums)."""
    return {
        name: metadata.version(entry["distribution"])
        for name, entry in ctx.manifest.packages.items()
    }
