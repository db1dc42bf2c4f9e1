"""Start the real tools the incident runs in: django-helpdesk and Prometheus.

Each tool runs as its own process on a free loopback port, with its state in
a fresh folder under ``var/e2e-real/``. Nothing here imports Django: the
helpdesk lives in its own virtual environment, so the project's settings
never meet it.
"""

import hashlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
HELPDESK_SITE = HERE / "helpdesk"
HELPDESK_REQUIREMENTS = HELPDESK_SITE / "requirements.txt"
STATE = ROOT / "var" / "e2e-real"
HELPDESK_VENV = STATE / "helpdesk-venv"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
HELPDESK_PORT = 48081
PROMETHEUS_PORT = 49091

# Variables that would make the helpdesk call out to a webhook.
SCRUBBED_ENV = ("HELPDESK_NEW_TICKET_WEBHOOK_URLS", "HELPDESK_FOLLOWUP_WEBHOOK_URLS")


class ToolError(RuntimeError):
    """A real tool could not be installed or started; the message says which."""


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    port: int
    log_path: Path
    database: Path | None = None

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def log_tail(self, lines=30):
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def free_port(preferred=0):
    """Return a loopback port nothing listens on right now.

    ``preferred`` is tried first so that the recorded origins, and so the
    sample recording, stay the same from run to run when it is free.
    """
    for candidate in (preferred, 0) if preferred else (0,):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise ToolError("No free loopback port.")


def fresh_folder(name):
    """Return an empty folder ``var/e2e-real/<name>``, removing the old one."""
    folder = STATE / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def wait_until(check, *, service, timeout=30.0, interval=0.2):
    """Poll ``check()`` until it returns a truthy value or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise ToolError(
                f"{service.name} exited with {service.process.returncode}:\n"
                f"{service.log_tail()}"
            )
        result = check()
        if result:
            return result
        time.sleep(interval)
    service.stop()
    raise ToolError(
        f"{service.name} was not ready within {timeout:.0f} s:\n{service.log_tail()}"
    )


def http_get(url, timeout=2.0):
    """Return the body of a loopback GET, or None when it fails."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def spawn(name, args, *, cwd, env, log_path):
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return process


# -- django-helpdesk -------------------------------------------------------------


def helpdesk_python():
    """Return the helpdesk venv's Python, building the venv when it is stale.

    The venv is rebuilt whenever ``requirements.txt`` changes; a stamp file
    holds the hash of the pins it was built from.
    """
    python = HELPDESK_VENV / "bin" / "python"
    stamp = HELPDESK_VENV / ".requirements-sha256"
    wanted = hashlib.sha256(HELPDESK_REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python

    logger.info("Building the helpdesk virtual environment in %s", HELPDESK_VENV)
    shutil.rmtree(HELPDESK_VENV, ignore_errors=True)
    STATE.mkdir(parents=True, exist_ok=True)
    base_python = getattr(sys, "_base_executable", None) or sys.executable
    run([base_python, "-m", "venv", str(HELPDESK_VENV)], what="create the venv")
    run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        + ["--no-deps", "-r", str(HELPDESK_REQUIREMENTS)],
        what="install django-helpdesk",
    )
    stamp.write_text(wanted)
    return python


def run(args, *, what, env=None, cwd=None):
    result = subprocess.run(
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise ToolError(
            f"Could not {what} (exit {result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    return result


def helpdesk_env(database):
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        DJANGO_SETTINGS_MODULE="hdsite_settings",
        HELPDESK_DATABASE=str(database),
        HELPDESK_MEDIA=str(database.parent / "media"),
        PYTHONPATH=str(HELPDESK_SITE),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def start_helpdesk(*, password):
    """Migrate and seed a fresh helpdesk database, then serve it on loopback."""
    python = helpdesk_python()
    folder = fresh_folder("helpdesk")
    database = folder / "helpdesk.sqlite3"
    env = helpdesk_env(database)
    django = [str(python), "-m", "django"]
    run(django + ["migrate", "--noinput", "-v0"], what="migrate the helpdesk", env=env)
    run(
        [str(python), str(HELPDESK_SITE / "seed.py"), password],
        what="seed the helpdesk",
        env=env,
    )

    port = free_port(HELPDESK_PORT)
    log_path = folder / "server.log"
    # DEBUG is off so an error page never shows the environment; --insecure
    # lets runserver still serve the helpdesk's vendored static files.
    args = django + ["runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"]
    process = spawn("helpdesk", args, cwd=HELPDESK_SITE, env=env, log_path=log_path)
    service = Service("django-helpdesk", process, port, log_path, database)
    wait_until(lambda: http_get(f"{service.origin}/login/"), service=service)
    return service


# -- Prometheus and its exporter -------------------------------------------------

PROMETHEUS_CONFIG = """\
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["127.0.0.1:{prometheus_port}"]
  - job_name: vpn-gateway
    static_configs:
      - targets: ["127.0.0.1:{exporter_port}"]
"""


def start_exporter(folder):
    port = free_port()
    log_path = folder / "exporter.log"
    args = [sys.executable, str(HERE / "exporter.py"), str(port)]
    process = spawn(
        "exporter", args, cwd=folder, env=dict(os.environ), log_path=log_path
    )
    service = Service("exporter", process, port, log_path)
    wait_until(lambda: http_get(f"{service.origin}/metrics"), service=service)
    return service


def start_prometheus():
    """Run Debian's Prometheus on a fresh storage folder, scraping the exporter.

    Return ``(prometheus, exporter)`` once both targets report ``up``.
    """
    if not os.access(PROMETHEUS, os.X_OK):
        raise ToolError(
            "Prometheus is not installed: run "
            "`apt-get -o DPkg::Lock::Timeout=600 install -y prometheus`."
        )
    folder = fresh_folder("prometheus")
    exporter = start_exporter(folder)
    port = free_port(PROMETHEUS_PORT)
    config = folder / "prometheus.yml"
    config.write_text(
        PROMETHEUS_CONFIG.format(prometheus_port=port, exporter_port=exporter.port)
    )
    args = [
        PROMETHEUS,
        f"--config.file={config}",
        f"--storage.tsdb.path={folder / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--log.level=warn",
    ]
    log_path = folder / "prometheus.log"
    process = spawn(
        "prometheus", args, cwd=folder, env=dict(os.environ), log_path=log_path
    )
    prometheus = Service("Prometheus", process, port, log_path)

    def both_up():
        body = http_get(f"{prometheus.origin}/api/v1/query?query=sum(up)")
        return body and b'"2"' in body

    try:
        wait_until(both_up, service=prometheus, timeout=40)
    except ToolError:
        exporter.stop()
        raise
    return prometheus, exporter


def helpdesk_ticket(database, ticket_id):
    """Read one ticket back from the helpdesk's own database, read-only."""
    import sqlite3

    uri = f"file:{database}?mode=ro"
    with sqlite3.connect(uri, uri=True) as connection:
        connection.row_factory = sqlite3.Row
        ticket = connection.execute(
            "SELECT t.status, t.priority, q.title AS queue, u.username AS owner"
            " FROM helpdesk_ticket t JOIN helpdesk_queue q ON q.id = t.queue_id"
            " LEFT JOIN auth_user u ON u.id = t.assigned_to_id WHERE t.id = ?",
            (ticket_id,),
        ).fetchone()
        comments = [
            row[0]
            for row in connection.execute(
                "SELECT comment FROM helpdesk_followup WHERE ticket_id = ? ORDER BY id",
                (ticket_id,),
            )
        ]
    return {**dict(ticket), "comments": comments}
