"""The demo's CIN census holds every decision of the cascade, valid against the 2026 schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema

from csc_inequalities.demo import demo_files
from csc_inequalities.demo.files import CIN_FILE


@pytest.mark.parametrize("la_code", ["E06000053", "E09000022", "E08000025"])
def test_census_with_enquiries_conferences_and_factors_is_valid(store, formats_dir: Path, la_code):
    """Isles of Scilly (smallest), Lambeth (median) and Birmingham (a large city)."""
    content = demo_files(la_code, store, names=(CIN_FILE,))[CIN_FILE]
    schema = xmlschema.XMLSchema(formats_dir / "CIN_schema_2026.xsd")
    schema.validate(content.decode("utf-8"))
    if la_code != "E06000053":  # a handful of children there: not every element need occur
        text = content.decode("utf-8")
        assert "<AssessmentFactors>" in text
        assert "<ICPCnotRequired>1</ICPCnotRequired>" in text
        enquiries = text.count("<S47ActualStartDate>")
        plans = text.count("<CPPstartDate>")
        assert 2 * plans < enquiries < 5 * plans
