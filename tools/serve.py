"""N single-worker app processes behind a real nginx on this machine: `./dev serve N`.

The nginx configuration is deploy/nginx/explorer.conf.template, the one the Compose file uses,
filled in for 127.0.0.1; nginx runs without root (`nginx -c CONF -p DIR`). The hosting tests
and the load client use `serve()`; from the command line Ctrl-C stops everything.

Each app process is pinned to a core of its own (in turn, when there are more processes than
cores), as deploy/compose does with `cpuset`. A process runs its Python on one core at a time
whatever the machine, but left to float its event loop and its upload readers hand the
interpreter lock from core to core: with 30 users on one process that cost a quarter of its CPU
and doubled its slowest answers (bench/RESULTS.md, 2026-11-30 note).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from csc_inequalities.settings import number_setting

ROOT = Path(__file__).resolve().parents[1]
NGINX_DIR = ROOT / "deploy" / "nginx"
TEMPLATE = NGINX_DIR / "explorer.conf.template"
TEMPLATE_VALUES = ("CSC_LISTEN", "CSC_UPSTREAM_SERVERS", "CSC_UPLOAD_MAX_MB")
# Every app process gets this same weight: nginx's consistent hash places 160 x weight points
# per server on its ring, and with 160 one process can take 55-58% of new browsers; with 16,000
# each takes 50% +- 1 (deploy/nginx/explorer.conf.template).
SPREAD_WEIGHT = 100
STARTUP_SECONDS = 120.0
STOP_SECONDS = 10.0
# Only one worker per process: Shiny keeps each session in the memory of the process that made it.
UVICORN_OPTIONS = ("--workers", "1", "--ws-ping-interval", "20", "--ws-ping-timeout", "20")
MAIN_CONF = """\
daemon off;
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {run}/access.log;
    client_body_temp_path {run}/temp/client_body;
    proxy_temp_path {run}/temp/proxy;
    fastcgi_temp_path {run}/temp/fastcgi;
    uwsgi_temp_path {run}/temp/uwsgi;
    scgi_temp_path {run}/temp/scgi;
    include explorer.conf;
}}
"""


def render_template(values: Mapping[str, str], template: Path = TEMPLATE) -> str:
    """The template with its ${NAME} values filled in, as the nginx image's envsubst does."""
    text = template.read_text()
    for name in TEMPLATE_VALUES:
        text = text.replace("${" + name + "}", values[name])
    return text


def upload_max_mb(environ: Mapping[str, str] | None = None) -> str:
    """nginx's body limit in MB: the app's own CSC_UPLOAD_MAX_MB (default 50), whole MB up."""
    return str(max(1, math.ceil(number_setting("CSC_UPLOAD_MAX_MB", environ))))


def write_nginx_config(
    run_dir: Path,
    port: int,
    app_ports: list[int],
    extra_confs: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """nginx.conf, explorer.conf and explorer.d/ in run_dir for nginx on 127.0.0.1:port."""
    servers = " ".join(
        f"server 127.0.0.1:{app_port} weight={SPREAD_WEIGHT};" for app_port in app_ports
    )
    values = {
        "CSC_LISTEN": f"127.0.0.1:{port}",
        "CSC_UPSTREAM_SERVERS": servers,
        "CSC_UPLOAD_MAX_MB": upload_max_mb(environ),
    }
    (run_dir / "explorer.conf").write_text(render_template(values))
    (run_dir / "explorer.d").mkdir()
    (run_dir / "temp").mkdir()
    for name, text in (extra_confs or {}).items():
        (run_dir / "explorer.d" / name).write_text(text)
    main = run_dir / "nginx.conf"
    main.write_text(MAIN_CONF.format(run=run_dir))
    return main


def nginx_binary() -> str:
    """Debian's nginx (./dev serve installs nginx-light when it is missing)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None:
        raise RuntimeError("nginx is not installed: apt-get install nginx-light (./dev serve does)")
    return found


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(count: int, start: int = 20000, stop: int = 40000) -> int:
    """The first port p from which p .. p+count-1 are all free on 127.0.0.1 (for tests)."""
    for base in range(start, stop, count + 1):
        if all(port_is_free(base + offset) for offset in range(count)):
            return base
    raise RuntimeError(f"no {count} consecutive free ports between {start} and {stop}")


def answers(url: str) -> bool:
    """Whether a GET of url returns a 2xx status."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_until_healthy(url: str, processes: list[subprocess.Popen], logs: list[Path]) -> None:
    """Wait for url/healthz to answer; fail at once with the logs if a process has died."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while not answers(f"{url}/healthz"):
        dead = [process.args for process in processes if process.poll() is not None]
        if dead or time.monotonic() > deadline:
            tails = "\n".join(f"--- {log}\n{tail(log)}" for log in logs)
            reason = f"exited: {dead}" if dead else f"no answer in {STARTUP_SECONDS:.0f} s"
            raise RuntimeError(f"{url} did not start ({reason})\n{tails}")
        time.sleep(0.2)


def tail(path: Path, lines: int = 20) -> str:
    """The last lines of a log file, or nothing when there is none."""
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def stop(process: subprocess.Popen) -> None:
    """Ask a process to stop (SIGTERM), and kill it if it has not within STOP_SECONDS."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_all(processes: list[subprocess.Popen]) -> None:
    """Stop nginx first (started last), then every app process."""
    for process in reversed(processes):
        stop(process)


def start(
    command: list[str], log: Path | None, env: Mapping[str, str], cpu: int | None = None
) -> subprocess.Popen:
    """A child in its own session, so Ctrl-C reaches only serve(), which stops it in order.

    With a cpu, the child runs on that core only: pinned as it starts, so the threads it
    starts inherit the core (serve() pins every thread again once the process answers).
    """
    output = log.open("wb") if log is not None else None
    try:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT if output is not None else None,
            start_new_session=True,
        )
    finally:
        if output is not None:
            output.close()
    if cpu is not None:
        pin_to_cpu(process.pid, cpu)
    return process


def pin_to_cpu(pid: int, cpu: int) -> None:
    """Keep every thread of a process on one core (the threads it starts later inherit it).

    A process that has already exited is left alone: wait_until_healthy reports it with its log.
    """
    with suppress(FileNotFoundError):
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        for task in tasks:
            with suppress(ProcessLookupError):  # a thread that has just ended
                os.sched_setaffinity(int(task.name), {cpu})


def app_cpus(n_processes: int, cpus: Sequence[int] | None = None) -> list[int]:
    """The core of each app process: one each, in turn when there are more processes than cores."""
    allowed = sorted(os.sched_getaffinity(0) if cpus is None else cpus)
    return [allowed[index % len(allowed)] for index in range(n_processes)]


@contextmanager
def serve(
    n_processes: int = 2,
    port: int = 8000,
    *,
    env: Mapping[str, str] | None = None,
    extra_confs: Mapping[str, str] | None = None,
    quiet: bool = True,
    pin: bool = True,
) -> Iterator[str]:
    """Run n app processes (ports port+1..port+n) behind nginx on port; yield its base URL.

    env is added to each app process's environment (and read for CSC_UPLOAD_MAX_MB); extra_confs
    are server-level nginx files for explorer.d/ (deploy/nginx/sign-in.conf, for example).
    With quiet the processes' output goes to log files in the run folder, else to the terminal.
    With pin each app process runs on a core of its own (app_cpus); nginx is left to float.
    """
    app_ports = [port + offset for offset in range(1, n_processes + 1)]
    busy = [p for p in (port, *app_ports) if not port_is_free(p)]
    if busy:
        raise RuntimeError(f"ports already in use on 127.0.0.1: {busy}")
    environ = {**os.environ, **(env or {})}
    with ExitStack() as stack:
        run_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="csc-serve-")))
        run_dir.chmod(0o755)  # nginx's workers run as another user when started by root
        processes: list[subprocess.Popen] = []
        stack.callback(stop_all, processes)
        logs = []
        cpus: list[int | None] = [*app_cpus(n_processes)] if pin else [None] * n_processes
        for app_port, cpu in zip(app_ports, cpus, strict=True):
            log = run_dir / f"app-{app_port}.log" if quiet else None
            command = [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1"]
            processes.append(
                start([*command, "--port", str(app_port), *UVICORN_OPTIONS], log, environ, cpu)
            )
            logs.extend([log] if log else [])
        for app_port in app_ports:
            wait_until_healthy(f"http://127.0.0.1:{app_port}", processes, logs)
        for process, cpu in zip(processes, cpus, strict=True):
            if cpu is not None:
                pin_to_cpu(process.pid, cpu)
        conf = write_nginx_config(run_dir, port, app_ports, extra_confs, environ)
        error_log = run_dir / "error.log"
        nginx = [nginx_binary(), "-c", str(conf), "-p", str(run_dir), "-e", str(error_log)]
        processes.append(start(nginx, None, os.environ))
        logs.append(error_log)
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(base_url, processes, logs)
        yield base_url


def main(argv: list[str] | None = None) -> None:
    """`./dev serve N`: run until Ctrl-C (or SIGTERM), then stop nginx and every app process."""
    parser = argparse.ArgumentParser(prog="dev serve", description=__doc__.splitlines()[0])
    parser.add_argument("processes", nargs="?", type=int, default=2, help="app processes (2)")
    parser.add_argument("--port", type=int, default=8000, help="nginx's port (8000)")
    parser.add_argument(
        "--no-pin", action="store_true", help="let the app processes float over every core"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with serve(args.processes, args.port, quiet=False, pin=not args.no_pin) as url:
            ports = f"{args.port + 1}..{args.port + args.processes}"
            print(f"The explorer on {url} ({args.processes} processes on ports {ports}, nginx)")
            print("Ctrl-C stops them all.", flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        print("Stopped nginx and the app processes.")


if __name__ == "__main__":
    main()
