"""What the build steps share: the manifest, input paths, the output folder and built frames."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from csc_inequalities.build.sources import Manifest, SourceError, check_source_shape, read_table

BOUNDARY_ROW_GROUP = 256
# Postcodes sorted by postcode: an upload's postcodes fall in a few groups (postcode_table.py).
POSTCODE_ROW_GROUP = 16_384


@dataclass
class BuildContext:
    """Inputs and outputs of one build, in a temporary folder until it is complete."""

    manifest: Manifest
    paths: dict[str, Path]
    out_dir: Path
    frames: dict[str, object] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)

    def read(self, name: str, **options) -> pd.DataFrame:
        """A tabular source, checked against its manifest entry."""
        return read_table(self.manifest.sources[name], self.paths[name], **options)

    def read_geo(self, name: str) -> gpd.GeoDataFrame:
        """A GeoParquet source, checked against its manifest entry."""
        source = self.manifest.sources[name]
        try:
            frame = gpd.read_parquet(self.paths[name])
        except (OSError, ValueError) as error:
            raise SourceError(f"Could not read {source.mirror_path}: {error}") from error
        check_source_shape(source, frame)
        return frame

    def write(self, table: str, frame: pd.DataFrame, row_group_size: int | None = None) -> None:
        """Write one store table as Parquet (row groups of a given size where readers skip them)."""
        frame.to_parquet(
            self.out_dir / f"{table}.parquet",
            index=False,
            compression="zstd",
            row_group_size=row_group_size,
        )
        self.tables[table] = len(frame)

    def write_geo(self, table: str, frame: gpd.GeoDataFrame) -> None:
        """Write one GeoParquet table in small row groups, so one authority reads quickly."""
        frame.to_parquet(
            self.out_dir / f"{table}.parquet",
            index=False,
            compression="zstd",
            row_group_size=BOUNDARY_ROW_GROUP,
        )
        self.tables[table] = len(frame)
