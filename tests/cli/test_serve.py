"""`mistakes serve`: the app in a browser through textual-serve, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mistakes.cli.web import app_command
from tests.conftest import REPO, Result

WAIT = 60.0  # how long the server may take to start on a loaded machine (not a measure)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(samples_copy: Path, tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mistakes",
            "serve",
            "--dir",
            str(samples_copy),
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
    )
    try:
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _get(url: str) -> tuple[int, str]:
    deadline = time.monotonic() + WAIT
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_answers_http_and_runs_the_app(
    server: tuple[int, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    port, process = server
    status, page = _get(f"http://127.0.0.1:{port}/")
    assert process.poll() is None
    assert status == 200 and "<html" in page.lower()
    assert f"ws://127.0.0.1:{port}/ws" in page

    # a browser tab: the app starts under the web driver (no terminal) and draws
    import aiohttp

    async def first_frame() -> bytes:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24") as ws,
        ):
            received = b""
            while b"mistakes" not in received.lower() and b"search" not in received.lower():
                message = await asyncio.wait_for(ws.receive(), WAIT)
                if message.type == aiohttp.WSMsgType.BINARY:
                    received += message.data
                elif message.type == aiohttp.WSMsgType.TEXT:
                    received += message.data.encode()
                else:
                    raise AssertionError(
                        f"closed: {message!r}: {(tmp_path / 'serve.log').read_text()}"
                    )
            return received

    assert asyncio.run(first_frame())


def test_serve_command_names_the_folder(tmp_path: Path) -> None:
    command = app_command(tmp_path / "my entries", None)
    assert command.startswith(f"{sys.executable} -m mistakes --dir ")
    assert "'" + str((tmp_path / "my entries").resolve()) + "'" in command


def test_serve_without_textual_serve_says_how_to_install(
    run, monkeypatch: pytest.MonkeyPatch, samples_copy: Path
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # import fails
    result: Result = run("serve", "--dir", str(samples_copy))
    assert result.code == 1
    assert result.err == "mistakes: serve needs textual-serve: pip install 'mistakes[web]'\n"
