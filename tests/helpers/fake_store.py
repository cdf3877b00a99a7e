"""A tiny reference store for the records readers: postcodes, the 2011-2021 lookup and LSOAs."""

from __future__ import annotations

import pandas as pd

from csc_inequalities.reference.authority_views import AuthorityViews

LA = "E06000001"
OTHER_LA = "E06000002"

# 2011 -> 2021: E01000001 unchanged; E01000002 split into E01033001 (0.6) and E01033002 (0.4);
# E01000003 and E01000004 merged into E01033003; E01000005 unchanged, in the other authority.
LOOKUP = pd.DataFrame(
    {
        "lsoa11_code": [
            "E01000001",
            "E01000002",
            "E01000002",
            "E01000003",
            "E01000004",
            "E01000005",
        ],
        "lsoa21_code": [
            "E01000001",
            "E01033001",
            "E01033002",
            "E01033003",
            "E01033003",
            "E01000005",
        ],
        "change_code": ["U", "S", "S", "M", "M", "U"],
        "weight_11_to_21": [1.0, 0.6, 0.4, 1.0, 1.0, 1.0],
        "weight_21_to_11": [1.0, 1.0, 1.0, 0.55, 0.45, 1.0],
    }
)

POSTCODES = pd.DataFrame(
    {
        "postcode": ["AB12CD", "AB13CD", "AB14CD", "ZZ99ZZ"],
        "lsoa11_code": ["E01000001", "E01000002", "E01000003", "E01000005"],
        "lsoa21_code": ["E01000001", "E01033002", "E01033003", "E01000005"],
        "la_code": [LA, LA, LA, OTHER_LA],
    }
)


class FakeStore(AuthorityViews):
    """The parts of ReferenceStore the records readers use."""

    def __init__(self) -> None:
        self.lsoa_lookup = LOOKUP.copy()
        self.postcode_calls = 0

    def postcodes(self) -> pd.DataFrame:
        """The postcode directory (counting calls, to check it is indexed once)."""
        self.postcode_calls += 1
        return POSTCODES.copy()

    def lsoas(self, imd_year: int) -> pd.DataFrame:
        """LSOAs with their authority, on the geography of the index year."""
        if imd_year == 2019:
            codes = ["E01000001", "E01000002", "E01000003", "E01000004", "E01000005"]
        else:
            codes = ["E01000001", "E01033001", "E01033002", "E01033003", "E01000005"]
        return pd.DataFrame({"lsoa_code": codes, "la_code": [LA] * 4 + [OTHER_LA]})
