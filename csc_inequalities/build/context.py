"""What the build steps share: the manifest, input paths, the output folder and built frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from csc_inequalities.build import normalise
from csc_inequalities.build.sources import Input, Manifest, check_normalised, table_checksum

BOUNDARY_ROW_GROUP = 256
# Postcodes sorted by postcode: an upload's postcodes fall in a few groups (postcode_table.py).
POSTCODE_ROW_GROUP = 16_384


@dataclass
class BuildContext:
    """Inputs and outputs of one build, in a temporary folder until it is complete."""

    manifest: Manifest
    inputs: dict[str, Input]
    out_dir: Path
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # GeoDataFrames too
    tables: dict[str, int] = field(default_factory=dict)
    table_checksums: dict[str, str] = field(default_factory=dict)
    normalised: dict[str, str] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)
    _sources: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def read(self, name: str) -> pd.DataFrame:
        """A source normalised to the mirror's columns and checked against the pinned content."""
        if name not in self._sources:
            source, item = self.manifest.sources[name], self.inputs[name]
            frame = normalise.load(source, item)
            self.normalised[name] = check_normalised(source, frame, item.form)
            self._sources[name] = frame
        return self._sources[name].copy()

    def read_geo(self, name: str) -> gpd.GeoDataFrame:
        """A boundary source (a GeoDataFrame in EPSG:4326), normalised and checked like read."""
        return self.read(name)

    def write(self, table: str, frame: pd.DataFrame, row_group_size: int | None = None) -> None:
        """Write one store table as Parquet (row groups of a given size where readers skip them)."""
        frame.to_parquet(
            self.out_dir / f"{table}.parquet",
            index=False,
            compression="zstd",
            row_group_size=row_group_size,
        )
        self.tables[table] = len(frame)
        self.table_checksums[table] = table_checksum(frame)

    def write_geo(self, table: str, frame: gpd.GeoDataFrame) -> None:
        """Write one GeoParquet table in small row groups, so one authority reads quickly."""
        frame.to_parquet(
            self.out_dir / f"{table}.parquet",
            index=False,
            compression="zstd",
            row_group_size=BOUNDARY_ROW_GROUP,
        )
        self.tables[table] = len(frame)
        self.table_checksums[table] = table_checksum(frame)
