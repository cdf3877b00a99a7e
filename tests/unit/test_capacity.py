"""Sessions counted against a limit, the busy page for new visitors, idle sessions ended."""

from __future__ import annotations

import asyncio
import json

import pytest

from csc_inequalities.serving import capacity
from csc_inequalities.serving.capacity import IdleClock, SessionCount
from csc_inequalities.serving.session_gate import (
    ENDED_MESSAGE,
    KEY_COOKIE,
    RELEASE_AFTER_S,
    RELEASE_WHILE_OPEN_S,
    SessionGate,
)
from csc_inequalities.settings import DEFAULT_IDLE_MINUTES, DEFAULT_MAX_SESSIONS, SettingError

TITLE = "Children's social care inequalities explorer"


def test_new_visitors_are_admitted_up_to_the_limit_counting_pages_not_yet_connected():
    count = SessionCount(limit=2, reservation_s=30)
    assert count.admit_page(0.0) and count.admit_page(1.0)
    assert not count.admit_page(2.0)  # two pages sent, their websockets not yet connected
    count.session_opened(3.0)
    count.session_opened(3.5)
    assert (count.open, count.held(4.0)) == (2, 0)
    assert not count.admit_page(4.0) and not count.accepting(4.0)
    count.session_closed()
    assert count.accepting(5.0) and count.admit_page(5.0)


def test_a_page_whose_websocket_never_comes_frees_its_place_after_the_reservation():
    count = SessionCount(limit=1, reservation_s=30)
    assert count.admit_page(0.0)
    assert not count.admit_page(29.0)
    assert count.admit_page(30.0)


def test_sessions_without_a_page_of_their_own_are_counted_and_never_go_below_zero():
    count = SessionCount(limit=1)
    count.session_opened(0.0)
    count.session_opened(0.0)  # a reconnect, or a page sent before the limit was reached
    assert count.open == 2 and not count.accepting(0.0)
    for _ in range(3):
        count.session_closed()
    assert count.open == 0


@pytest.mark.parametrize(
    ("environ", "sessions", "idle_s"),
    [
        ({}, DEFAULT_MAX_SESSIONS, DEFAULT_IDLE_MINUTES * 60),
        ({"CSC_MAX_SESSIONS": "12", "CSC_IDLE_MINUTES": "5"}, 12, 300.0),
        ({"CSC_MAX_SESSIONS": "", "CSC_IDLE_MINUTES": "0.1"}, 20, 6.0),
    ],
)
def test_limits_come_from_the_environment_with_sensible_defaults(environ, sessions, idle_s):
    assert capacity.max_sessions_from_env(environ) == sessions
    assert capacity.idle_seconds_from_env(environ) == pytest.approx(idle_s)


@pytest.mark.parametrize(
    ("read", "environ"),
    [
        (capacity.max_sessions_from_env, {"CSC_MAX_SESSIONS": "0"}),
        (capacity.max_sessions_from_env, {"CSC_MAX_SESSIONS": "many"}),
        (capacity.idle_seconds_from_env, {"CSC_IDLE_MINUTES": "soon"}),
    ],
)
def test_an_impossible_limit_is_refused_by_name_not_replaced_by_the_default(read, environ):
    (name,) = environ
    with pytest.raises(SettingError, match=name):
        read(environ)


def test_the_idle_clock_restarts_on_every_message():
    clock = IdleClock(timeout_s=10, last=0.0)
    assert clock.remaining(4.0) == 6.0 and not clock.expired(4.0)
    clock.touch(8.0)
    assert not clock.expired(17.0) and clock.expired(18.0)


def test_durations_are_said_as_people_say_them():
    assert capacity.duration_words(1800) == "30 minutes"
    assert capacity.duration_words(60) == "1 minute"
    assert capacity.duration_words(6) == "6 seconds"
    assert "30 minutes without activity" in capacity.session_ended_message(1800)["text"]


def test_the_busy_page_is_short_accessible_html_in_plain_words():
    page = capacity.busy_page("A <b> service")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "<title>Busy: A &lt;b&gt; service</title>" in page
    assert "<h1>The service is busy</h1>" in page
    assert "try again in a few minutes" in page and "2 minutes" in page
    assert "<script" not in page


# ---- the ASGI middleware, with a stand-in for Shiny ---------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def stand_in_app(scope, receive, send):
    """Answers HTTP with 200 'app'; a websocket echoes until the browser goes."""
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    config = {"config": {"workerId": "", "sessionId": scope.get("session", "s1"), "user": None}}
    await send({"type": "websocket.send", "text": json.dumps(config)})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            scope["ended_by"] = message
            return
        await send({"type": "websocket.send", "text": "echo " + message["text"]})


async def get(app, path: str, key: str | None = None) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    headers = [(b"cookie", f"other=1; {KEY_COOKIE}={key}".encode())] if key else []
    await app({"type": "http", "path": path, "method": "GET", "headers": headers}, receive, send)
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]


class Browser:
    """A websocket client talking to the middleware through queues."""

    def __init__(self, app, key: str | None = None) -> None:
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.outbox: asyncio.Queue = asyncio.Queue()
        headers = [(b"cookie", f"{KEY_COOKIE}={key}".encode())] if key else []
        self.scope = {"type": "websocket", "path": "/websocket/", "headers": headers}
        self.outbox.put_nowait({"type": "websocket.connect"})
        self.task = asyncio.create_task(app(self.scope, self.outbox.get, self.inbox.put))

    async def say(self, text: str) -> dict:
        await self.outbox.put({"type": "websocket.receive", "text": text})
        return await asyncio.wait_for(self.inbox.get(), 1)

    async def leave(self) -> None:
        await self.outbox.put({"type": "websocket.disconnect", "code": 1001})
        await asyncio.wait_for(self.task, 1)


def test_a_full_process_gives_new_visitors_the_busy_page_while_its_sessions_carry_on():
    async def scenario():
        clock = FakeClock()
        count = SessionCount(limit=1)
        gate = SessionGate(stand_in_app, count, idle_s=600, title=TITLE, clock=clock)
        assert (await get(gate, "/"))[0] == 200
        browser = Browser(gate)
        assert (await asyncio.wait_for(browser.inbox.get(), 1))["type"] == "websocket.accept"
        await asyncio.wait_for(browser.inbox.get(), 1)  # Shiny's config
        assert count.open == 1
        status, headers, body = await get(gate, "/")
        assert status == 503 and headers[b"retry-after"] == b"120"
        assert headers[b"content-type"].startswith(b"text/html")
        assert b"The service is busy" in body
        assert (await get(gate, "/geojson/2025/E06000009.json"))[0] == 200
        assert (await browser.say("still here"))["text"] == "echo still here"
        await browser.leave()
        assert count.open == 0
        clock.now = 31.0  # the place the first page held has lapsed too
        assert (await get(gate, "/"))[0] == 200

    asyncio.run(scenario())


def test_an_idle_session_is_told_why_it_ended_and_shiny_sees_the_browser_go():
    async def scenario():
        count = SessionCount(limit=5)
        gate = SessionGate(stand_in_app, count, idle_s=0.3, title=TITLE)
        browser = Browser(gate)
        await asyncio.wait_for(browser.inbox.get(), 1)  # accept
        await asyncio.wait_for(browser.inbox.get(), 1)  # Shiny's config
        for _ in range(3):  # activity keeps it open beyond the idle time
            await asyncio.sleep(0.15)
            await browser.say("click")
        notice = await asyncio.wait_for(browser.inbox.get(), 2)
        closed = await asyncio.wait_for(browser.inbox.get(), 1)
        await asyncio.wait_for(browser.task, 1)
        message = json.loads(notice["text"])["custom"][ENDED_MESSAGE]
        assert message["heading"] == "Your session has ended"
        assert "without activity" in message["text"] and "cleared" in message["text"]
        assert closed["type"] == "websocket.close"
        assert browser.scope["ended_by"]["type"] == "websocket.disconnect"
        assert count.open == 0

    asyncio.run(scenario())


def test_a_sessions_uploads_and_downloads_answer_only_the_browser_that_opened_it():
    async def scenario():
        gate = SessionGate(stand_in_app, SessionCount(limit=5), idle_s=600, title=TITLE)
        status, headers, _ = await get(gate, "/")
        cookie = headers[b"set-cookie"].decode()
        assert cookie.startswith(f"{KEY_COOKIE}=") and "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        mine = cookie.split(";", 1)[0].split("=", 1)[1]
        assert len(mine) >= 40
        assert b"set-cookie" not in (await get(gate, "/", key=mine))[1]  # kept, not replaced
        browser = Browser(gate, key=mine)
        await asyncio.wait_for(browser.inbox.get(), 1)  # accept
        await asyncio.wait_for(browser.inbox.get(), 1)  # config: session s1
        download = "/session/s1/download/exports-gradient_csv"
        assert await get(gate, download, key=mine) == (200, {}, b"app")
        for other in ("someone-else", None):
            status, _, body = await get(gate, download, key=other)
            assert (status, body) == (404, b'{"detail":"Not Found"}')
        assert (await get(gate, "/session/s2/download/x", key=mine))[0] == 404
        await browser.leave()
        assert (await get(gate, download, key=mine))[0] == 404  # the session has ended

    asyncio.run(scenario())


def test_ended_sessions_memory_is_collected_soon_after_the_last_and_seldom_while_others_go_on():
    async def scenario():
        gate = SessionGate(stand_in_app, SessionCount(limit=5), idle_s=600, title=TITLE)
        browsers = [Browser(gate) for _ in range(3)]
        for browser in browsers:
            await asyncio.wait_for(browser.inbox.get(), 1)  # accept
            await asyncio.wait_for(browser.inbox.get(), 1)  # Shiny's config
        assert gate.release_in_s is None
        await browsers[0].leave()
        assert gate.release_in_s == pytest.approx(RELEASE_WHILE_OPEN_S, abs=1)
        await browsers[1].leave()  # one collection for both
        assert gate.release_in_s == pytest.approx(RELEASE_WHILE_OPEN_S, abs=1)
        await browsers[2].leave()  # the last: brought forward
        assert gate.release_in_s == pytest.approx(RELEASE_AFTER_S, abs=1)
        gate.release()
        assert gate.release_in_s is None

    asyncio.run(scenario())
