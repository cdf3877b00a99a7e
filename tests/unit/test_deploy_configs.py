"""deploy/: the settings that matter in files that cannot run here (Compose, Kubernetes,
ShinyProxy), and nginx's own check (`nginx -t`) of the configurations the Compose file builds."""

from __future__ import annotations

import http.server
import os
import re
import shutil
import socketserver
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from pathlib import Path

import httpx
import pytest
import yaml

from csc_inequalities.serving.proxy_user import USER_HEADERS
from csc_inequalities.settings import DEFAULT_UPLOAD_MAX_MB
from tools.serve import (
    NGINX_DIR,
    SPREAD_WEIGHT,
    app_cpus,
    free_port_block,
    render_template,
    start,
    upload_max_mb,
    write_nginx_config,
)

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UPLOAD_MB = str(int(DEFAULT_UPLOAD_MAX_MB))
UPLOAD_BYTES = int(DEFAULT_UPLOAD_MAX_MB * 1024 * 1024)


def directives(text: str) -> str:
    """nginx configuration without its comments, so only what nginx reads is checked."""
    return "\n".join(line.split("#", 1)[0].rstrip() for line in text.splitlines())


def load_all(path: Path) -> list[dict]:
    """Every YAML document in a file."""
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def kubernetes() -> dict[str, dict]:
    documents = [
        document
        for path in sorted((DEPLOY / "kubernetes").glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in load_all(path)
    ]
    return {f"{doc['kind']}/{doc['metadata']['name']}": doc for doc in documents}


def test_nginx_pins_each_browser_to_a_process_by_cookie() -> None:
    template = directives((NGINX_DIR / "explorer.conf.template").read_text())
    assert "ip_hash" not in template
    assert re.search(r'map \$cookie_csc_affinity \$csc_affinity \{\s*""\s+\$request_id;', template)
    assert "hash $csc_affinity consistent;" in template
    assert re.search(r'""\s+"csc_affinity=\$request_id; Path=/; HttpOnly; SameSite=Lax', template)
    assert "add_header Set-Cookie $csc_affinity_cookie always;" in template


def test_nginx_carries_the_websocket_and_bounds_uploads_like_the_app() -> None:
    template = directives((NGINX_DIR / "explorer.conf.template").read_text())
    for line in (
        "proxy_http_version 1.1;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $csc_connection;",
        "proxy_read_timeout 1h;",
        "proxy_set_header Host $http_host;",
        "client_max_body_size ${CSC_UPLOAD_MAX_MB}m;",
        "proxy_request_buffering off;",
        "proxy_max_temp_file_size 0;",
        'add_header Strict-Transport-Security "max-age=31536000" always;',
    ):
        assert line in template, line
    rendered = render_template(
        {
            "CSC_LISTEN": "127.0.0.1:8000",
            "CSC_UPSTREAM_SERVERS": "server 127.0.0.1:8001;",
            "CSC_UPLOAD_MAX_MB": upload_max_mb({}),
        }
    )
    assert f"client_max_body_size {UPLOAD_MB}m;" in rendered
    assert "${" not in rendered
    assert upload_max_mb({"CSC_UPLOAD_MAX_MB": "7.5"}) == "8"


def test_nginx_passes_only_the_verified_user_to_the_app() -> None:
    template = directives((NGINX_DIR / "explorer.conf.template").read_text())
    passed = dict(re.findall(r"proxy_set_header (X-[\w-]+) (\S+);", template))
    assert {name.lower() for name in passed} >= set(USER_HEADERS)
    assert passed.pop("X-Auth-Request-User") == "$csc_user"
    assert passed.pop("X-Auth-Request-Email") == "$csc_email"
    assert all(value == '""' for name, value in passed.items() if name.lower() in USER_HEADERS)
    sign_in = directives((NGINX_DIR / "sign-in.conf").read_text())
    assert "auth_request /oauth2/auth;" in sign_in
    assert "auth_request_set $csc_user $upstream_http_x_auth_request_user;" in sign_in
    assert "proxy_pass_request_body off;" in sign_in


def test_compose_runs_nginx_before_the_image_with_uploads_in_memory(compose: dict) -> None:
    services = compose["services"]
    apps = {name: service for name, service in services.items() if name.startswith("app")}
    assert len(apps) >= 2
    fronts = {name: services[name] for name in ("nginx", "nginx-signin")}
    # One core each, none shared: a process left to float spends more CPU on every user.
    cores = [app["cpuset"] for app in apps.values()]
    assert all(core.isdigit() for core in cores) and len(set(cores)) == len(cores)
    for app in apps.values():
        assert app["image"] == "csc-inequalities:latest"
        assert "command" not in app  # the image's single-worker uvicorn
        assert app["environment"]["CSC_UPLOAD_MAX_MB"] == UPLOAD_MB
        tmpfs = [volume for volume in app["volumes"] if volume["type"] == "tmpfs"]
        assert [volume["target"] for volume in tmpfs] == [app["environment"]["TMPDIR"]]
        assert "ports" not in app  # reachable only through nginx
    for name, front in fronts.items():
        env = front["environment"]
        assert env["CSC_UPSTREAM_SERVERS"].split() == [
            word for app in apps for word in ("server", f"{app}:8000", "weight=100;")
        ]
        assert env["CSC_UPLOAD_MAX_MB"] == UPLOAD_MB
        mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in front["volumes"]}
        assert mounts["/etc/nginx/templates/explorer.conf.template"].endswith(
            "nginx/explorer.conf.template"
        )
        assert ("/etc/nginx/explorer.d/sign-in.conf" in mounts) == (name == "nginx-signin")
    assert fronts["nginx"]["profiles"] == ["open"]
    assert fronts["nginx-signin"]["profiles"] == ["signin"]
    proxy = services["oauth2-proxy"]
    assert (
        proxy["profiles"] == ["signin"] and "oauth2-proxy" in fronts["nginx-signin"]["depends_on"]
    )
    assert proxy["environment"]["OAUTH2_PROXY_PROVIDER"] == "oidc"
    assert proxy["environment"]["OAUTH2_PROXY_SET_XAUTHREQUEST"] == "true"
    assert "ports" not in proxy


def test_kubernetes_runs_single_worker_pods_with_probes_and_memory_uploads(
    kubernetes: dict[str, dict],
) -> None:
    deployment = kubernetes["Deployment/csc-inequalities"]
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] >= 2
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    command = container["command"]
    assert command[:2] == ["uvicorn", "app:app"]
    assert [arg for arg in command if arg.startswith("--workers")] == ["--workers=1"]
    assert "--ws-ping-interval=20" in command
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    # Guaranteed: a whole core and memory, requests equal to limits (a core of its own under
    # the static CPU manager policy).
    resources = container["resources"]
    assert resources["requests"] == resources["limits"] == {"cpu": "1", "memory": "1Gi"}
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["CSC_UPLOAD_MAX_MB"] == UPLOAD_MB
    mounts = {mount["name"]: mount["mountPath"] for mount in container["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    (uploads,) = [name for name, path in mounts.items() if path == env["TMPDIR"]]
    assert volumes[uploads]["emptyDir"]["medium"] == "Memory"

    service = kubernetes["Service/csc-inequalities"]
    assert service["spec"].get("sessionAffinity", "None") == "None"


def test_kubernetes_routes_by_cookie_with_traefik(kubernetes: dict[str, dict]) -> None:
    assert not [name for name in kubernetes if name.startswith("Ingress/")]  # ingress-nginx
    route = kubernetes["IngressRoute/csc-inequalities"]
    assert route["apiVersion"] == "traefik.io/v1alpha1"
    for rule in route["spec"]["routes"]:
        for service in rule["services"]:
            assert service["name"] == "csc-inequalities"
            assert service["sticky"]["cookie"]["name"] == "csc_affinity"
            assert service["sticky"]["cookie"]["secure"] is True
    limit = kubernetes["Middleware/csc-upload-limit"]["spec"]["buffering"]
    assert limit["maxRequestBodyBytes"] == limit["memRequestBodyBytes"] == UPLOAD_BYTES
    (upload_rule,) = [r for r in route["spec"]["routes"] if "upload" in r["match"]]
    assert {"name": "csc-upload-limit"} in upload_rule["middlewares"]
    hsts = kubernetes["Middleware/csc-hsts"]["spec"]["headers"]["stsSeconds"]
    assert hsts == 31536000
    listed = yaml.safe_load((DEPLOY / "kubernetes" / "kustomization.yaml").read_text())
    on_disk = {p.name for p in (DEPLOY / "kubernetes").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(listed["resources"]) == on_disk


def test_shinyproxy_gives_each_user_a_container_behind_openid() -> None:
    config = yaml.safe_load((DEPLOY / "shinyproxy" / "application.yml").read_text())["proxy"]
    assert config["authentication"] == "openid"
    assert {"auth-url", "token-url", "jwks-url", "client-id", "client-secret"} <= set(
        config["openid"]
    )
    (spec,) = config["specs"]
    assert spec["container-image"] == "csc-inequalities:latest"
    assert spec["port"] == 8000
    env = spec["container-env"]
    assert env["TMPDIR"] == "/dev/shm"
    assert env["CSC_UPLOAD_MAX_MB"] == UPLOAD_MB
    assert env["CSC_TRUST_PROXY_USER"] == "1" and "x-sp-userid" in USER_HEADERS
    assert env["CSC_ALLOWED_ORIGINS"].startswith("https://")


def test_the_image_runs_one_worker_as_a_user_with_uploads_in_memory() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    (cmd,) = re.findall(r"^CMD (\[.*?\])$", dockerfile, flags=re.MULTILINE | re.DOTALL)
    command = yaml.safe_load(cmd.replace("\\\n", " "))
    assert command[:2] == ["uvicorn", "app:app"]
    assert command[command.index("--workers") + 1] == "1"
    assert command[command.index("--ws-ping-interval") + 1] == "20"
    assert re.search(r"^USER explorer$", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^ENV TMPDIR=/tmp/uploads$", dockerfile, flags=re.MULTILINE)
    assert "--tmpfs /tmp/uploads" in dockerfile
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "pip install --no-deps --no-build-isolation -e ." in dockerfile


def self_signed_certificate(folder: Path) -> None:
    """fullchain.pem and privkey.pem for nginx's check of the TLS lines."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=explorer.test", "-keyout", str(folder / "privkey.pem")]
        + ["-out", str(folder / "fullchain.pem")],
        check=True,
        capture_output=True,
    )


@pytest.mark.parametrize("sign_in", [False, True], ids=["open", "signin"])
def test_nginx_accepts_the_compose_configuration(
    compose: dict, tmp_path: Path, sign_in: bool
) -> None:
    """nginx -t on what the Compose nginx runs, its service names read as 127.0.0.1."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    assert nginx, "nginx is not installed (./dev test installs nginx-light)"
    front = compose["services"]["nginx-signin" if sign_in else "nginx"]
    env = front["environment"]
    servers = re.sub(r"server \w+:", "server 127.0.0.1:", env["CSC_UPSTREAM_SERVERS"])
    ports = [int(port) for port in re.findall(r":(\d+) ", servers)]
    run_dir = tmp_path / "nginx"
    run_dir.mkdir()
    (run_dir / "certs").mkdir()
    self_signed_certificate(run_dir / "certs")
    extras = {"tls.conf": (NGINX_DIR / "tls.conf").read_text().replace("/etc/nginx", str(run_dir))}
    if sign_in:
        sign_in_conf = (NGINX_DIR / "sign-in.conf").read_text()
        extras["sign-in.conf"] = sign_in_conf.replace("oauth2-proxy:4180", "127.0.0.1:4180")
    conf = write_nginx_config(run_dir, 8443, ports, extras, {})
    explorer = (run_dir / "explorer.conf").read_text()
    (run_dir / "explorer.conf").write_text(
        explorer.replace("listen 127.0.0.1:8443;", f"listen {env['CSC_LISTEN']};")
        + (NGINX_DIR / "http-redirect.conf").read_text()
    )
    error_log = run_dir / "error.log"
    check = subprocess.run(
        [nginx, "-t", "-q", "-c", str(conf), "-p", str(run_dir), "-e", str(error_log)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


class _ReusingServer(socketserver.TCPServer):
    """Binds a port whose last connections are still closing (TIME_WAIT), as port_is_free allows."""

    allow_reuse_address = True


class _PortReply(http.server.BaseHTTPRequestHandler):
    """A stand-in app process that answers every request with its own port."""

    def do_GET(self) -> None:
        body = str(self.server.server_address[1]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_nginx_spreads_new_browsers_evenly_over_two_processes(tmp_path: Path) -> None:
    """4,000 first visits through the template as ./dev serve writes it: 50% +- 3 each.

    With weight 1 nginx's ring has 160 points per process, and one of two processes can take
    55-58% of new browsers (53.7% for Compose's app1 and app2); SPREAD_WEIGHT makes it finer.
    """
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    assert nginx, "nginx is not installed (./dev test installs nginx-light)"
    base = free_port_block(3)
    backends = [_ReusingServer(("127.0.0.1", base + n), _PortReply) for n in (1, 2)]
    for backend in backends:
        threading.Thread(target=backend.serve_forever, daemon=True).start()
    conf = write_nginx_config(tmp_path, base, [base + 1, base + 2])
    assert f"weight={SPREAD_WEIGHT};" in (tmp_path / "explorer.conf").read_text()
    proxy = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path)])
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{base}") as client:
            for _ in range(100):
                try:
                    client.get("/")
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            answers: Counter[str] = Counter()
            for _ in range(4000):
                # No cookie sent: every request is a new browser, pinned by its request id.
                client.cookies.clear()
                answers[client.get("/").text] += 1
    finally:
        proxy.terminate()
        proxy.wait(10)
        for backend in backends:
            backend.shutdown()
    servers = [f"127.0.0.1:{base + n}" for n in (1, 2)]
    expected = ring_shares(servers, SPREAD_WEIGHT)
    assert set(answers) == {server.split(":")[1] for server in servers}
    for server in servers:
        # Within 3 standard errors of the ring's share, which is within 1% of even.
        assert abs(answers[server.split(":")[1]] / 4000 - expected[server]) < 0.025, answers
        assert abs(expected[server] - 0.5) < 0.01


def ring_shares(servers: list[str], weight: int) -> dict[str, float]:
    """Each server's share of new browsers under nginx's `hash ... consistent` (ketama).

    nginx places 160 x weight points per server at crc32(host, 0, port, previous point) and
    sends a key to the first point at or after crc32(key); keys here are random request ids.
    """
    points = []
    for server in servers:
        host, _, port = server.rpartition(":")
        seed, previous = host.encode() + b"\0" + port.encode(), 0
        for _ in range(160 * weight):
            previous = zlib.crc32(seed + struct.pack("<I", previous))
            points.append((previous, server))
    points.sort()
    shares = dict.fromkeys(servers, 0.0)
    last = points[-1][0] - 2**32
    for point, server in points:
        shares[server] += (point - last) / 2**32
        last = point
    return shares


def test_compose_processes_share_new_browsers_evenly(compose: dict) -> None:
    """The weight on every Compose server line makes the hash ring fine enough to be even."""
    upstreams = compose["services"]["nginx"]["environment"]["CSC_UPSTREAM_SERVERS"]
    lines = [line.split() for line in upstreams.split(";") if line.strip()]
    servers = [words[1] for words in lines]
    weights = {int(words[2].removeprefix("weight=")) for words in lines}
    assert weights == {SPREAD_WEIGHT}
    assert all(abs(share - 0.5) < 0.01 for share in ring_shares(servers, SPREAD_WEIGHT).values())
    assert max(ring_shares(servers, 1).values()) > 0.53  # what weight 1 gives app1 and app2


def test_serve_gives_each_app_process_a_core_in_turn() -> None:
    assert app_cpus(2, [0, 1]) == [0, 1]
    assert app_cpus(3, [4, 2]) == [2, 4, 2]  # more processes than cores: in turn
    assert app_cpus(1, [3]) == [3]


def test_a_pinned_process_and_the_threads_it_starts_stay_on_their_core(tmp_path: Path) -> None:
    core = max(os.sched_getaffinity(0))
    # The child waits a moment, so a slow parent has surely pinned it before it reports.
    script = (
        "import os, threading, time\n"
        "def report(): print(sorted(os.sched_getaffinity(0)), flush=True)\n"
        "time.sleep(0.5); report()\n"
        "thread = threading.Thread(target=report); thread.start(); thread.join()\n"
    )
    log = tmp_path / "cores.log"
    process = start([sys.executable, "-c", script], log, os.environ, core)
    assert process.wait(timeout=30) == 0
    assert log.read_text().split("\n") == [f"[{core}]", f"[{core}]", ""]
