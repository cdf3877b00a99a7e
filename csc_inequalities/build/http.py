"""Downloads for the build: atomic, resumable, and every failure named with its source."""

from __future__ import annotations

import gzip
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from csc_inequalities import __version__
from csc_inequalities.build.sources import SourceError

# Some publishers' content-delivery networks refuse the default Python user agent.
USER_AGENT = f"csc-inequalities/{__version__} (reference data build; Python urllib)"
TIMEOUT_SECONDS = 120
ATTEMPTS = 3  # a timeout, HTTP 429 or 5xx is tried again after a pause that doubles
RETRY_PAUSE_SECONDS = 2.0
CHUNK = 1 << 20
PROGRESS_EVERY = 8 << 20  # report a long download every 8 MB
RETRYABLE = {429, 500, 502, 503, 504}
OFFLINE_HINT = (
    "Check the internet connection (and HTTPS_PROXY if the network needs a proxy), then run "
    "the same command again: finished files are kept and a partial download resumes. Without "
    "internet, build from a mirror folder: csc-inequalities data build --mirror DIR (or set "
    "CSC_DATA_MIRROR)."
)
# What a file should start with, to tell a publisher's error page from the data.
_MAGIC = {"zip": b"PK\x03\x04", "xlsx": b"PK\x03\x04"}

Progress = Callable[[str], None]


class TruncatedDownload(ConnectionError):
    """The connection ended before the whole file came (tried again, resuming)."""


def _quiet(message: str) -> None:
    """The default progress reporter: say nothing."""


def urlopen(request: urllib.request.Request, timeout: float) -> http.client.HTTPResponse:
    """Open an address; the one place tests replace to stand in for the publishers."""
    return urllib.request.urlopen(request, timeout=timeout)


def _request(url: str, headers: dict[str, str] | None = None) -> urllib.request.Request:
    """A request carrying the build's user agent."""
    return urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})


def _explain(source: str, url: str, error: BaseException) -> SourceError:
    """A failed request as a message naming the source, what happened and what to do."""
    if isinstance(error, urllib.error.HTTPError):
        if error.code == 404:
            what = (
                "the publisher no longer serves this address (HTTP 404); the address in "
                "data/manifest.toml may need updating (see data/README.md, 'Official addresses')"
            )
        elif error.code in RETRYABLE:
            what = (
                f"the publisher's server answered HTTP {error.code} {error.reason} (busy or down)"
            )
        else:
            what = f"the publisher's server refused the request: HTTP {error.code} {error.reason}"
    elif isinstance(error, TimeoutError) or "timed out" in str(error):
        what = f"no answer within {TIMEOUT_SECONDS:.0f} s (timeout)"
    else:
        reason = getattr(error, "reason", error)
        what = f"the network failed: {reason}"
    return SourceError(f"{source}: could not download {url}: {what}. {OFFLINE_HINT}")


T = TypeVar("T")


def _with_retries(source: str, url: str, action: Callable[[], T]) -> T:
    """Run a request, trying again after busy or failing servers and timeouts."""
    pause, attempt = RETRY_PAUSE_SECONDS, 1
    while True:
        try:
            return action()
        except urllib.error.HTTPError as error:
            if error.code not in RETRYABLE or attempt == ATTEMPTS:
                raise _explain(source, url, error) from error
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            if attempt == ATTEMPTS:
                raise _explain(source, url, error) from error
        time.sleep(pause)
        pause, attempt = pause * 2, attempt + 1


def _looks_like_html(head: bytes) -> bool:
    """A publisher's error or sign-in page rather than data."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def check_content(source: str, url: str, head: bytes, expected: str) -> None:
    """Refuse a web page, or a file that does not start as the expected format does."""
    if _looks_like_html(head):
        raise SourceError(
            f"{source}: {url} sent a web page (HTML) where {expected.upper()} data was expected; "
            "the publisher may have moved the file or be showing an error or maintenance page. "
            "Open the address in a browser to see what it says, and the dataset's official page "
            "(csc-inequalities data sources) for where the file is now."
        )
    magic = _MAGIC.get(expected)
    if magic and head and not head.startswith(magic):
        raise SourceError(
            f"{source}: {url} did not send a {expected} file (it starts {head[:16]!r})."
        )


def get_json(source: str, url: str) -> dict:
    """A JSON document from an API or a portal query (compressed in transit when offered)."""

    def fetch() -> bytes:
        request = _request(url, {"Accept": "application/json", "Accept-Encoding": "gzip"})
        with urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read()
            if response.headers.get("Content-Encoding", "").lower() == "gzip":
                body = gzip.decompress(body)
            return body

    content = _with_retries(source, url, fetch)
    check_content(source, url, content[:512], "json")
    try:
        return json.loads(content)
    except ValueError as error:
        raise SourceError(
            f"{source}: {url} did not send valid JSON ({error}); the API may have changed."
        ) from error


def download(
    source: str, url: str, target: Path, expected: str, progress: Progress = _quiet
) -> None:
    """Fetch one file into target via target.part, resuming a partial file where it can."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")

    def fetch() -> None:
        done = partial.stat().st_size if partial.exists() else 0
        headers = {"Range": f"bytes={done}-"} if done else {}
        try:
            response = urlopen(_request(url, headers), timeout=TIMEOUT_SECONDS)
        except urllib.error.HTTPError as error:
            if error.code != 416 or not done:
                raise
            partial.unlink()  # the partial file does not fit the publisher's: start again
            raise TruncatedDownload("the partial download did not match; starting again") from error
        with response:
            resumed = done and getattr(response, "status", 200) == 206
            if not resumed:
                done = 0
            length = response.headers.get("Content-Length")
            expected_total = done + int(length) if length and length.isdigit() else None
            _stream(source, url, response, partial, done, expected_total, expected, progress)

    _with_retries(source, url, fetch)
    partial.replace(target)


def _stream(
    source: str,
    url: str,
    response: http.client.HTTPResponse,
    partial: Path,
    done: int,
    total: int | None,
    expected: str,
    progress: Progress,
) -> None:
    """Append the response to the partial file, checking its start and its length."""
    written = done
    reported = written
    with partial.open("ab" if done else "wb") as out:
        first = True
        while block := response.read(CHUNK):
            if first and not done:
                try:
                    check_content(source, url, block[:512], expected)
                except SourceError:
                    out.close()
                    partial.unlink(missing_ok=True)
                    raise
            first = False
            out.write(block)
            written += len(block)
            if written - reported >= PROGRESS_EVERY:
                reported = written
                size = f" of {total / 1e6:.1f} MB" if total else ""
                progress(f"  {source}: {written / 1e6:.1f} MB{size}")
    if total is not None and written != total:
        raise TruncatedDownload(f"the download stopped at {written:,} of {total:,} bytes")
