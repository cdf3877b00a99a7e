"""Two app processes behind a real nginx (tools/serve.py, as `./dev serve 2`), on 127.0.0.1 only.

A browser keeps its cookie and so its process: its uploads (separate POSTs) reach the process
holding its session, while other cookies reach the other process, which does not know it.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tools.serve import NGINX_DIR, free_port_block, serve

UPLOAD_MAX_MB = 1
OTHER_COOKIES = 20  # with 2 processes, all 20 landing on one process has odds of 1 in 10^6
SIGNED_IN = "ann@council.example"


def request(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Message, bytes]:
    """Status, headers (names in any case) and body of one request, errors included."""
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data, headers or {}), timeout=30
        ) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def affinity_cookies(headers: Message) -> list[str]:
    """The csc_affinity cookies a response sets, as sent."""
    return [c for c in headers.get_all("Set-Cookie") or [] if c.startswith("csc_affinity=")]


def browser_cookies(headers: Message) -> str:
    """The Cookie header a browser sends after a first visit, nginx's affinity cookie included."""
    (affinity,) = affinity_cookies(headers)
    assert "HttpOnly" in affinity and "SameSite=Lax" in affinity
    return "; ".join(cookie.split(";", 1)[0] for cookie in headers.get_all("Set-Cookie"))


def other_affinities(cookie: str) -> list[str]:
    """The browser's cookies with other affinity values, as other browsers might hold."""
    return [
        re.sub(r"csc_affinity=[^;]*", f"csc_affinity=other{n}", cookie)
        for n in range(OTHER_COOKIES)
    ]


def open_session(base_url: str, cookie: str) -> tuple[ClientConnection, str]:
    """A Shiny session over the websocket as a page would open it; returns it and its id."""
    socket = connect(
        base_url.replace("http://", "ws://") + "/websocket/",
        additional_headers={"Cookie": cookie},
        origin=base_url,
        open_timeout=30,
        close_timeout=2,  # the test only needs the session while it runs
    )
    config = json.loads(socket.recv(timeout=30))["config"]
    socket.send(json.dumps({"method": "init", "data": {".clientdata_url_search": ""}}))
    return socket, config["sessionId"]


def upload_url(socket: ClientConnection, tag: int, files: int = 1) -> str:
    """Ask the session for an upload job of `files` small CSV files; returns where to POST."""
    infos = [{"name": f"probe{index}.csv", "size": 5, "type": "text/csv"} for index in range(files)]
    socket.send(json.dumps({"method": "uploadInit", "args": [infos], "tag": tag}))
    for _ in range(200):
        message = json.loads(socket.recv(timeout=30))
        if message.get("response", {}).get("tag") == tag:
            return message["response"]["value"]["uploadUrl"]
    raise AssertionError("no answer to uploadInit")


@pytest.fixture(scope="class")
def two_processes() -> Iterator[str]:
    """Two app processes behind nginx, no sign-in, trusting it as Compose does; 1 MB uploads."""
    env = {"CSC_UPLOAD_MAX_MB": str(UPLOAD_MAX_MB), "CSC_TRUST_PROXY_USER": "1"}
    with serve(2, free_port_block(3), env=env) as url:
        yield url


class TestTwoProcessesBehindNginx:
    def test_a_browser_keeps_its_cookie_and_its_process(self, two_processes: str) -> None:
        status, headers, _ = request(two_processes + "/")
        assert status == 200
        cookie = browser_cookies(headers)
        status, headers, _ = request(two_processes + "/", headers={"Cookie": cookie})
        assert status == 200 and affinity_cookies(headers) == []

        socket, session_id = open_session(two_processes, cookie)
        with socket:
            for tag in (1, 2):
                url = upload_url(socket, tag)
                assert url.startswith(f"session/{session_id}/upload/")
                status, _, body = request(f"{two_processes}/{url}", b"a,b\n1", {"Cookie": cookie})
                assert (status, body) == (200, b"OK")

            # Other cookies are pinned elsewhere: the other process does not know the session.
            control = upload_url(socket, 3, files=OTHER_COOKIES)
            statuses = [
                request(f"{two_processes}/{control}", b"a,b\n1", {"Cookie": other})[0]
                for other in other_affinities(cookie)
            ]
        assert 404 in statuses and 200 in statuses, statuses

    def test_each_process_runs_on_a_core_of_its_own(self, two_processes: str) -> None:
        port = int(two_processes.rsplit(":", 1)[1])  # the app processes listen on the next ports
        cores = [
            json.loads(request(f"http://127.0.0.1:{port + offset}/healthz")[2])["cpus"]
            for offset in (1, 2)
        ]
        assert [len(process_cores) for process_cores in cores] == [1, 1]
        if len(os.sched_getaffinity(0)) > 1:
            assert cores[0] != cores[1]

    def test_health_and_headers_arrive_through_nginx(self, two_processes: str) -> None:
        status, headers, body = request(two_processes + "/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert headers["cache-control"] == "no-store"

        _, headers, _ = request(two_processes + "/")
        assert "script-src 'self' 'unsafe-inline';" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert "camera=()" in headers["permissions-policy"]
        assert headers["strict-transport-security"] == "max-age=31536000"
        assert headers["cache-control"] == "no-store"
        assert headers["server"] == "nginx"

    def test_a_foreign_page_cannot_open_the_websocket(self, two_processes: str) -> None:
        with pytest.raises(InvalidStatus) as refused:
            connect(
                two_processes.replace("http://", "ws://") + "/websocket/",
                origin="http://evil.example",
                open_timeout=30,
            )
        assert refused.value.response.status_code == 403

    def test_without_sign_in_no_forged_name_reaches_the_page(self, two_processes: str) -> None:
        forged = {name: "mallory" for name in ("X-Forwarded-User", "X-Auth-Request-User")}
        status, _, body = request(two_processes + "/", headers=forged)
        assert status == 200 and "Signed in as" not in body.decode()

    def test_nginx_refuses_bodies_above_the_apps_upload_limit(self, two_processes: str) -> None:
        too_big = b"x" * (UPLOAD_MAX_MB * 1024 * 1024 + 1)
        status, _, _ = request(two_processes + "/session/none/upload/none", too_big)
        assert status == 413


class StubSignIn(http.server.BaseHTTPRequestHandler):
    """oauth2-proxy's two answers to nginx: who is signed in (by cookie), and the sign-in page."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path.startswith("/oauth2/auth"):
            signed_in = "_oauth2_proxy=valid" in self.headers.get("Cookie", "")
            self.send_response(202 if signed_in else 401)
            if signed_in:
                self.send_header("X-Auth-Request-User", "5f0c2b7e")
                self.send_header("X-Auth-Request-Email", SIGNED_IN)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "7")
        self.end_headers()
        self.wfile.write(b"sign in")

    def log_message(self, *args: object) -> None:
        """Quiet: the test reads the answers, not a log."""


@pytest.fixture(scope="class")
def behind_sign_in() -> Iterator[str]:
    """One app process behind nginx with deploy/nginx/sign-in.conf and a stub oauth2-proxy."""
    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubSignIn)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    sign_in = (NGINX_DIR / "sign-in.conf").read_text()
    stub_url = f"http://127.0.0.1:{stub.server_address[1]}"
    assert "http://oauth2-proxy:4180" in sign_in
    confs = {"sign-in.conf": sign_in.replace("http://oauth2-proxy:4180", stub_url)}
    try:
        with serve(
            1, free_port_block(2), env={"CSC_TRUST_PROXY_USER": "1"}, extra_confs=confs
        ) as url:
            yield url
    finally:
        stub.shutdown()
        stub.server_close()


class TestSignInThroughOauth2Proxy:
    def test_without_sign_in_the_app_is_not_reached(self, behind_sign_in: str) -> None:
        status, _, body = request(behind_sign_in + "/")
        assert (status, body) == (403, b"sign in")
        with pytest.raises(InvalidStatus):
            connect(behind_sign_in.replace("http://", "ws://") + "/websocket/", open_timeout=30)
        assert request(behind_sign_in + "/healthz")[0] == 200

    def test_the_page_names_the_verified_user_not_a_forged_one(self, behind_sign_in: str) -> None:
        forged = {"X-Forwarded-User": "mallory", "X-Auth-Request-Email": "mallory@evil.example"}
        status, _, body = request(
            behind_sign_in + "/", headers={"Cookie": "_oauth2_proxy=valid", **forged}
        )
        page = body.decode()
        assert status == 200
        assert f"Signed in as <strong>{SIGNED_IN}</strong>" in page
        assert "mallory" not in page
