"""Every source from its official address: the two forms normalise alike, and fetching is safe.

The normaliser tests build each source from a small hand-written sample in the publisher's form
and one in the mirror's form (tests/unit/official_samples.py) and require the same frame. The
fetch tests run against a stub of the publishers' services on 127.0.0.1: no internet is used.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest
import shapely

from csc_inequalities.build import http, normalise, official, pipeline
from csc_inequalities.build.sources import (
    Input,
    Manifest,
    Official,
    Source,
    SourceError,
    load_manifest,
    locate_inputs,
    normalised_checksum,
    verify_inputs,
)
from csc_inequalities.reference.paths import manifest_path
from tests.helpers.official_samples import WRITERS

MANIFEST = load_manifest(manifest_path())


def _for_samples(source: Source) -> Source:
    """The manifest's source without its full-size row counts and pinned checksums."""
    return dataclasses.replace(
        source,
        rows=None,
        normalised_sha256=None,
        official=dataclasses.replace(source.official, rows=None, sha256=None),
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in a canonical order (the forms may list them differently)."""
    keys = [column for column in frame.columns if column != "geometry"]
    return frame.sort_values(keys, kind="mergesort", ignore_index=True)


# ---- the two forms of every source normalise to the same frame --------------------------------


def test_every_source_has_an_official_address_found_somewhere_and_a_sample():
    for name, source in MANIFEST.sources.items():
        assert source.official is not None, name
        assert source.official.url.startswith("https://"), name
        assert source.official.found_in and source.official.form, name
        assert source.official.kind in official.FETCHERS, name
        assert source.normalised_sha256, name
    assert set(WRITERS) == set(MANIFEST.sources)


@pytest.mark.parametrize("name", sorted(MANIFEST.sources))
def test_the_official_form_and_the_mirror_form_normalise_identically(name, tmp_path):
    source = _for_samples(MANIFEST.sources[name])
    official_path, mirror_path = WRITERS[name](tmp_path)
    from_official = normalise.load(source, Input(official_path, "official"))
    from_mirror = normalise.load(source, Input(mirror_path, "mirror"))
    assert list(from_official.columns) == list(from_mirror.columns)
    assert len(from_official) == len(from_mirror) > 0
    assert normalised_checksum(from_official) == normalised_checksum(from_mirror)
    left, right = _sorted(from_official), _sorted(from_mirror)
    if "geometry" in left.columns:
        assert left.crs == right.crs
        assert shapely.equals(left.geometry.to_numpy(), right.geometry.to_numpy()).all()
        assert set(shapely.get_type_id(left.geometry.to_numpy())) == {6}  # MultiPolygon
        left, right = left.drop(columns="geometry"), right.drop(columns="geometry")
    pd.testing.assert_frame_equal(pd.DataFrame(left), pd.DataFrame(right), check_exact=True)


def test_the_official_iod2025_file_is_renamed_to_the_mirror_names(tmp_path):
    source = _for_samples(MANIFEST.sources["iod2025_imd"])
    official_path, _ = WRITERS["iod2025_imd"](tmp_path)
    frame = normalise.load(source, Input(official_path, "official"))
    assert frame.loc[0, "IMD_score"] == pytest.approx(8.742)
    assert frame.loc[0, "Environment_rank"] == 26525 - 7


def test_tables_copied_as_published_keep_markers_and_blank_codes_as_text(tmp_path):
    source = _for_samples(MANIFEST.sources["dfe_b1"])
    official_path, _ = WRITERS["dfe_b1"](tmp_path)
    frame = normalise.load(source, Input(official_path, "official"))
    assert frame.loc[1, "At31_episodes"] == "c"
    assert frame.loc[0, "new_la_code"] == ""
    assert all(pd.api.types.is_string_dtype(frame[column]) for column in frame.columns)


def test_a_changed_official_layout_names_the_source_and_the_missing_columns(tmp_path):
    source = _for_samples(MANIFEST.sources["lookup_ltla23_utla23"])
    path = tmp_path / "changed.geojson"
    feature = {"type": "Feature", "geometry": None, "properties": {"LTLA24CD": "E06000001"}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(
        SourceError, match="lookup_ltla23_utla23.*no longer has the columns LTLA23CD"
    ):
        normalise.load(source, Input(path, "official"))


def test_a_changed_row_count_or_code_set_names_the_source_and_what_changed(tmp_path):
    name = "lookup_ltla24_region24"
    official_path, _ = WRITERS[name](tmp_path)
    pinned = MANIFEST.sources[name]
    pinned_rows = dataclasses.replace(_for_samples(pinned), official=pinned.official)
    with pytest.raises(SourceError, match=f"{name}.*2 rows where the pinned version has 296"):
        normalise.load(pinned_rows, Input(official_path, "official"))
    data = json.loads(official_path.read_text())
    data["features"][0]["properties"]["RGN24CD"] = "NE"
    official_path.write_text(json.dumps(data))
    with pytest.raises(SourceError, match="RGN24CD do not match.*'NE'"):
        normalise.load(_for_samples(pinned), Input(official_path, "official"))


# ---- a stub of the publishers on 127.0.0.1 -------------------------------------------------------


class Publisher:
    """A local HTTP server whose routes the tests set; it counts the requests it answers."""

    def __init__(self) -> None:
        self.routes: dict[str, object] = {}
        self.requests: list[tuple[str, dict, dict]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                """Keep the test output quiet."""

            def do_GET(self) -> None:
                parsed = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query))
                stub.requests.append((parsed.path, query, dict(self.headers)))
                route = stub.routes.get(parsed.path)
                if route is None:
                    self.send_error(404)
                    return
                route(self, query)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def reply(body: bytes | str | dict | list, status: int = 200, content_type: str = "text/csv"):
    """A route answering with a fixed body (JSON for dicts and lists)."""
    if isinstance(body, dict | list):
        body, content_type = json.dumps(body), "application/json"
    data = body.encode() if isinstance(body, str) else body

    def route(handler: BaseHTTPRequestHandler, query: dict) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return route


@pytest.fixture
def publisher(monkeypatch):
    """The stub publisher, with retries immediate and short timeouts."""
    monkeypatch.setattr(http, "RETRY_PAUSE_SECONDS", 0.0)
    monkeypatch.setattr(official, "ONS_PAUSE_SECONDS", 0.0)
    stub = Publisher()
    yield stub
    stub.close()


def _manifest(*sources: Source) -> Manifest:
    """A manifest of just these sources."""
    return Manifest(sources={source.name: source for source in sources}, packages={}, licences={})


def _table_source(url: str, **official_fields) -> Source:
    """A small table copied as published, fetched from a plain address."""
    return Source(
        name="table",
        title="A table",
        publisher="A publisher",
        official_url="https://example.org",
        mirror_path="table.csv",
        licence="OGL-3",
        columns=("code", "count"),
        copy_as_text=True,
        official=Official(kind="file", url=url, form="CSV", found_in="a test", **official_fields),
    )


TABLE = "code,count\nE06000001,5\nE06000002,c\n"


def test_fetch_downloads_atomically_records_checksums_and_skips_what_is_whole(publisher, tmp_path):
    publisher.routes["/data/table.csv"] = reply(TABLE)
    source = _table_source(f"{publisher.url}/data/table.csv")
    messages: list[str] = []
    record = official.fetch_sources(_manifest(source), tmp_path, messages.append)
    stored = tmp_path / "official" / record["table"]["file"]
    assert stored.read_text() == TABLE and record["table"]["bytes"] == len(TABLE)
    assert record["table"]["url"] == source.official.url
    assert json.loads((tmp_path / "official" / "fetched.json").read_text()) == record
    assert not list(tmp_path.rglob("*.part"))
    assert publisher.requests[0][2]["User-Agent"].startswith("csc-inequalities/")
    asked = len(publisher.requests)
    official.fetch_sources(_manifest(source), tmp_path, messages.append)
    assert len(publisher.requests) == asked
    assert "already fetched" in messages[-1]
    inputs = locate_inputs(_manifest(source), tmp_path)
    assert inputs["table"].form == "official"
    stored.write_text(TABLE.replace("5", "6"))
    with pytest.raises(SourceError, match="table.csv .expected sha256"):
        verify_inputs(_manifest(source), inputs)


def test_a_server_error_is_tried_again_and_then_succeeds(publisher, tmp_path):
    answers = [reply("busy", 503), reply("busy", 503), reply(TABLE)]
    publisher.routes["/table.csv"] = lambda handler, query: answers.pop(0)(handler, query)
    source = _table_source(f"{publisher.url}/table.csv")
    official.fetch_sources(_manifest(source), tmp_path, lambda message: None)
    assert (tmp_path / "official" / "table" / "table.csv").read_text() == TABLE


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (None, r"table: could not download .*HTTP 404.*--mirror DIR"),
        (reply("broken", 500), r"table: could not download .*HTTP 500.*run the same command again"),
        (
            reply("<!DOCTYPE html><html><body>Service unavailable</body></html>", 200, "text/html"),
            r"table: .* sent a web page \(HTML\) where CSV data was expected",
        ),
    ],
)
def test_failures_name_the_source_and_leave_no_file_to_be_used(publisher, tmp_path, route, message):
    if route is not None:
        publisher.routes["/table.csv"] = route
    source = _table_source(f"{publisher.url}/table.csv")
    with pytest.raises(SourceError, match=message):
        official.fetch_sources(_manifest(source), tmp_path, lambda text: None)
    assert not (tmp_path / "official" / "table" / "table.csv").exists()
    assert not list((tmp_path / "official").rglob("table.csv*"))
    with pytest.raises(SourceError, match="lacks: table.csv"):
        locate_inputs(_manifest(source), tmp_path)


def test_a_timeout_names_the_source_and_what_to_do(publisher, tmp_path, monkeypatch):
    monkeypatch.setattr(http, "TIMEOUT_SECONDS", 0.2)
    release = threading.Event()

    def slow(handler, query):
        release.wait(2)  # no answer: the client has given up by now, and writing would fail

    publisher.routes["/table.csv"] = slow
    source = _table_source(f"{publisher.url}/table.csv")
    try:
        with pytest.raises(SourceError, match=r"table: could not download .*timeout"):
            official.fetch_sources(_manifest(source), tmp_path, lambda text: None)
    finally:
        release.set()
    assert not (tmp_path / "official" / "table" / "table.csv").exists()


def test_an_unreachable_publisher_points_to_the_mirror(tmp_path, monkeypatch):
    monkeypatch.setattr(http, "RETRY_PAUSE_SECONDS", 0.0)
    source = _table_source("http://127.0.0.1:9/table.csv")  # the discard port: nothing listens
    with pytest.raises(SourceError, match=r"could not download .*network failed.*--mirror DIR"):
        official.fetch_sources(_manifest(source), tmp_path, lambda text: None)


def test_a_download_cut_short_is_resumed_from_where_it_stopped(publisher, tmp_path):
    whole = ("code,count\n" + "".join(f"E0600{n:04d},{n}\n" for n in range(2000))).encode()

    def cut(handler, query):
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(whole)))
        handler.end_headers()
        handler.wfile.write(whole[:5000])  # the connection ends early

    def rest(handler, query):
        start = int(handler.headers["Range"].removeprefix("bytes=").rstrip("-"))
        handler.send_response(206)
        handler.send_header("Content-Range", f"bytes {start}-{len(whole) - 1}/{len(whole)}")
        handler.send_header("Content-Length", str(len(whole) - start))
        handler.end_headers()
        handler.wfile.write(whole[start:])

    answers = [cut, rest]
    publisher.routes["/table.csv"] = lambda handler, query: answers.pop(0)(handler, query)
    source = dataclasses.replace(_table_source(f"{publisher.url}/table.csv"), copy_as_text=False)
    official.fetch_sources(_manifest(source), tmp_path, lambda text: None)
    assert (tmp_path / "official" / "table" / "table.csv").read_bytes() == whole
    assert publisher.requests[1][2]["Range"] == "bytes=5000-"


def test_a_download_that_is_not_the_pinned_version_is_refused_and_removed(publisher, tmp_path):
    publisher.routes["/table.csv"] = reply(TABLE)
    source = _table_source(f"{publisher.url}/table.csv", sha256="0" * 64)
    with pytest.raises(SourceError, match="table: the file at .* is not the pinned version"):
        official.fetch_sources(_manifest(source), tmp_path, lambda text: None)
    assert not (tmp_path / "official" / "table" / "table.csv").exists()


def test_revised_content_is_refused_naming_the_source(publisher, tmp_path):
    publisher.routes["/table.csv"] = reply(TABLE)
    source = dataclasses.replace(
        _table_source(f"{publisher.url}/table.csv"), normalised_sha256="0" * 64
    )
    with pytest.raises(SourceError, match="table: the official file's content differs"):
        official.fetch_sources(_manifest(source), tmp_path, lambda text: None)


# ---- the portal's feature services, the DfE and ONS APIs --------------------------------------


def test_a_portal_layer_is_read_in_pages_joined_and_normalised(publisher, tmp_path):
    rows = [
        {"LTLA23CD": f"E0600000{n}", "LTLA23NM": f"District {n}", "UTLA23CD": f"E0600000{n}"}
        for n in range(1, 6)
    ]
    for row in rows:
        row["UTLA23NM"] = row["LTLA23NM"]

    def layer(handler, query):
        if query.get("returnCountOnly") == "true":
            return reply({"count": len(rows)})(handler, query)
        start = int(query["resultOffset"])
        page = rows[start : start + 2]  # this service returns at most 2 features a request
        features = [{"type": "Feature", "geometry": None, "properties": row} for row in page]
        reply({"type": "FeatureCollection", "features": features})(handler, query)

    publisher.routes["/arcgis/rest/services/LTLA23_UTLA23_EW_LU/FeatureServer/0/query"] = layer
    pinned = MANIFEST.sources["lookup_ltla23_utla23"]
    source = dataclasses.replace(
        _for_samples(pinned),
        official=dataclasses.replace(
            pinned.official,
            rows=None,
            url=f"{publisher.url}/arcgis/rest/services/LTLA23_UTLA23_EW_LU/FeatureServer/0/query",
        ),
    )
    record = official.fetch_sources(_manifest(source), tmp_path, lambda text: None)
    offsets = [
        query["resultOffset"] for _, query, _ in publisher.requests if "resultOffset" in query
    ]
    assert offsets == ["0", "2", "4"]
    assert publisher.requests[1][1]["returnGeometry"] == "false"
    frame = normalise.load(
        source, Input(tmp_path / "official" / record[source.name]["file"], "official")
    )
    assert frame["ltla23_code"].tolist() == [row["LTLA23CD"] for row in rows]
    assert not (tmp_path / "official" / source.name / ".pages").exists()


def test_a_file_of_a_pinned_dfe_release_is_found_by_its_name(publisher, tmp_path):
    api = "/api"
    publisher.routes[f"{api}/publications/children-in-need/releases/2025/data-content"] = reply(
        {"releaseId": "r", "releaseVersionId": "rv1", "dataSets": [], "supportingFiles": []}
    )
    publisher.routes[f"{api}/data-set-files"] = reply(
        {
            "results": [
                {"fileId": "f1", "filename": "a1_national.csv"},
                {"fileId": "f2", "filename": "b1_children_in_need_2013_to_2025.csv"},
            ],
            "paging": {"page": 1, "pageSize": 40, "totalResults": 2, "totalPages": 1},
        }
    )
    official_path, _ = WRITERS["dfe_b1"](tmp_path)
    publisher.routes[f"{api}/releases/rv1/files/f2"] = reply(official_path.read_bytes())
    pinned = MANIFEST.sources["dfe_b1"]
    source = dataclasses.replace(
        _for_samples(pinned),
        official=dataclasses.replace(pinned.official, rows=None, url=f"{publisher.url}{api}"),
    )
    folder = tmp_path / "fetched"
    record = official.fetch_sources(_manifest(source), folder, lambda text: None)
    assert record["dfe_b1"]["file"] == "dfe_b1/b1_children_in_need_2013_to_2025.csv"
    listing = [query for path, query, _ in publisher.requests if path.endswith("data-set-files")]
    assert listing[0]["releaseId"] == "rv1"
    publisher.routes[f"{api}/data-set-files"] = reply({"results": [], "paging": {"totalPages": 1}})
    with pytest.raises(SourceError, match="release 2025 of children-in-need has no file b1_"):
        official.fetch_sources(_manifest(source), tmp_path / "other", lambda text: None)


def test_a_census_custom_dataset_is_fetched_in_batches_of_areas(publisher, tmp_path):
    areas = ["E02000001", "E02000002", "W02000001"]
    base = "/v1/population-types/UR"
    publisher.routes[f"{base}/area-types/msoa/areas"] = lambda handler, query: reply(
        {
            "items": [{"id": code, "label": code} for code in areas][int(query["offset"]) :],
            "total_count": len(areas),
        }
    )(handler, query)

    def observations(handler, query):
        assert "gzip" in handler.headers["Accept-Encoding"]
        area_type, *codes = query["area-type"].split(",")
        assert (
            area_type == "msoa" and query["dimensions"] == "ethnic_group_tb_6a,sex,resident_age_13a"
        )
        found = [
            {
                "dimensions": [
                    {"dimension_id": "msoa", "option_id": code, "option": f"{code} name"},
                    {"dimension_id": "ethnic_group_tb_6a", "option_id": "4", "option": "White"},
                    {"dimension_id": "sex", "option_id": "1", "option": "Female"},
                    {
                        "dimension_id": "resident_age_13a",
                        "option_id": "1",
                        "option": "Aged 15 years and under",
                    },
                ],
                "observation": 10 + index,
            }
            for index, code in enumerate(codes)
        ]
        body = gzip.compress(json.dumps({"observations": found, "blocked_areas": 0}).encode())
        handler.send_response(200)  # compressed, as the API may send it
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    publisher.routes[f"{base}/census-observations"] = observations
    pinned = MANIFEST.sources["ethnicity_age_msoa21"]
    source = dataclasses.replace(
        _for_samples(pinned),
        official=dataclasses.replace(
            pinned.official,
            rows=None,
            url=f"{publisher.url}/v1",
            params={**pinned.official.params, "areas_per_request": 2},
        ),
    )
    record = official.fetch_sources(_manifest(source), tmp_path, lambda text: None)
    batches = [query for path, query, _ in publisher.requests if path.endswith("observations")]
    assert [query["area-type"] for query in batches] == [
        "msoa,E02000001,E02000002",
        "msoa,W02000001",
    ]
    stored = tmp_path / "official" / record[source.name]["file"]
    with gzip.open(stored, "rt") as handle:
        assert handle.readline().startswith("area_code,area_name,ethnic_group_tb_6a_code")
    frame = normalise.load(source, Input(stored, "official"))
    assert frame.to_dict("list") == {
        "msoa": areas,
        "sex": ["Female"] * 3,
        "Ethnicity": ["White"] * 3,
        "0-15": [10, 11, 10],
    }


def test_areas_withheld_by_the_census_api_fail_with_the_reason(publisher, tmp_path):
    base = "/v1/population-types/UR"
    publisher.routes[f"{base}/area-types/lsoa/areas"] = reply(
        {"items": [{"id": "E01000001"}], "total_count": 1}
    )
    publisher.routes[f"{base}/census-observations"] = reply(
        {"observations": [], "blocked_areas": 1, "total_areas": 1}
    )
    pinned = MANIFEST.sources["census21_age6_lsoa21"]
    source = dataclasses.replace(
        pinned, official=dataclasses.replace(pinned.official, url=f"{publisher.url}/v1")
    )
    with pytest.raises(SourceError, match="census21_age6_lsoa21: the ONS API withheld 1 areas"):
        official.fetch_sources(_manifest(source), tmp_path, lambda text: None)


# ---- building from the official addresses ------------------------------------------------------


def test_a_build_without_a_mirror_fetches_once_then_finds_the_store_up_to_date(
    publisher, tmp_path, monkeypatch
):
    publisher.routes["/table.csv"] = reply(TABLE)
    manifest = _manifest(_table_source(f"{publisher.url}/table.csv"))
    monkeypatch.setattr(pipeline, "load_manifest", lambda path: manifest)
    monkeypatch.setattr(pipeline, "DOWNLOADS_DIR", tmp_path / "downloads")

    def copy_table(ctx):
        ctx.write("table", ctx.read("table"))

    monkeypatch.setattr(pipeline, "STEPS", [("table", copy_table)])
    report = pipeline.build_store(None, tmp_path / "store")
    assert report.built
    assert pd.read_parquet(tmp_path / "store" / "table.parquet")["count"].tolist() == ["5", "c"]
    state = json.loads((tmp_path / "store" / pipeline.STATE_FILE).read_text())
    assert state["sources"]["table"]["form"] == "official"
    assert set(state["table_checksums"]) == {"table"}
    asked = len(publisher.requests)
    assert not pipeline.build_store(None, tmp_path / "store").built
    assert len(publisher.requests) == asked


def test_without_internet_a_build_says_to_use_a_mirror(tmp_path, monkeypatch):
    def offline(request, timeout):
        raise http.urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(http, "urlopen", offline)
    monkeypatch.setattr(http, "RETRY_PAUSE_SECONDS", 0.0)
    monkeypatch.setattr(pipeline, "DOWNLOADS_DIR", tmp_path / "downloads")
    with pytest.raises(SourceError, match=r"iod2019_imd: could not download .*--mirror DIR"):
        pipeline.build_store(None, tmp_path / "store")
    assert not (tmp_path / "store").exists()
    assert not [path for path in (tmp_path / "downloads").rglob("*") if path.is_file()]


# ---- the commands ---------------------------------------------------------------------------


def test_data_fetch_fills_a_folder_that_data_build_can_use_as_a_mirror(
    publisher, tmp_path, monkeypatch, capsys
):
    from csc_inequalities import cli
    from csc_inequalities.build import sources

    publisher.routes["/table.csv"] = reply(TABLE)
    manifest = _manifest(_table_source(f"{publisher.url}/table.csv"))
    monkeypatch.setattr(sources, "load_manifest", lambda path: manifest)
    assert cli.main(["data", "fetch", "--to", str(tmp_path / "mirror")]) == 0
    out = capsys.readouterr().out
    assert "[1/1] table: http://127.0.0.1" in out
    assert f"csc-inequalities data build --mirror {tmp_path / 'mirror'}" in out
    assert locate_inputs(manifest, tmp_path / "mirror")["table"].form == "official"


def test_data_sources_lists_every_source_with_its_addresses_and_the_mirror_copy(capsys):
    from csc_inequalities import cli
    from tests.conftest import mirror_dir

    assert cli.main(["data", "sources", "--mirror", str(mirror_dir()), "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(frame.columns) == [
        "source",
        "publisher",
        "licence",
        "official page",
        "build address",
        "in mirror",
    ]
    assert set(frame["source"]) == set(MANIFEST.sources)
    assert set(frame["in mirror"]) == {"yes"}
    assert not frame["build address"].str.contains("search?q=", regex=False).any()
    b1 = frame.set_index("source").loc["dfe_b1", "build address"]
    assert "children-in-need 2025: b1_children_in_need_2013_to_2025.csv" in b1
