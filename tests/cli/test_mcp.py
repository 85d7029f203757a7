"""``mistakes mcp``: the MCP server driven by the SDK's own client (``mcp.Client`` over the
SDK's ``stdio_client`` transport), in a real subprocess.

One server per module and mode (read-only, ``--allow-write``), each on its own copy of
sample_mistakes: the client lives in a thread with its own event loop, because the SDK's
streams must be opened and closed in one task, which an async pytest fixture cannot do
(its setup and teardown run as two tasks).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest

from mistakes.cli.commands import MCP_MISSING
from mistakes.cli.main import main
from tests.conftest import REPO, SAMPLES

T = TypeVar("T")

NO_CLOSE_MATCHES = "no close matches: this error is not in the log yet"

SRC = REPO / "src"
READ_TOOLS = {"similar", "search", "show", "todo"}

# the Error Messages of sample entry 005, as an agent would paste them from a log
KNOWN_ERROR = """\
Traceback (most recent call last):
  File "/app/orders/api/views.py", line 61, in get_order
    order = repo.get(order_id)
  File "/app/orders/repository.py", line 33, in get
    return self.session.execute(stmt).scalar_one()
  File "/app/.venv/lib/python3.11/site-packages/sqlalchemy/pool/impl.py", line 168, in _do_get
    raise exc.TimeoutError(
sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 5 reached, connection \
timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)
"""

# an error no sample entry is about (today's similar still returns a weak match for it)
UNKNOWN_ERROR = """\
Traceback (most recent call last):
  File "/srv/render/views.py", line 88, in render_invoice
    template = env.get_template(name)
jinja2.exceptions.TemplateNotFound: invoice_v3.html
"""


class Server:
    """A ``mistakes mcp`` subprocess and the SDK client connected to it."""

    def __init__(self, folder: Path, home: Path, *args: str) -> None:
        from mcp import Client, StdioServerParameters

        self.folder = folder
        self.stderr_path = home / "server-stderr.txt"
        env = {
            "PYTHONPATH": str(SRC),
            "HOME": str(home),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_STATE_HOME": str(home / ".local/state"),
        }
        self.params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "mistakes", "mcp", "--dir", str(folder), *args],
            env=env,
            cwd=str(home),
        )
        self._client_type = Client
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._ready: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._stop: asyncio.Event | None = None
        self._main = asyncio.run_coroutine_threadsafe(self._serve(), self._loop)
        self.client = self._ready.result(timeout=120)

    async def _serve(self) -> None:
        from mcp.client.stdio import stdio_client

        self._stop = asyncio.Event()
        try:
            with self.stderr_path.open("w") as errlog:
                transport = stdio_client(self.params, errlog=errlog)
                async with self._client_type(transport, cache=None) as client:
                    self._ready.set_result(client)
                    await self._stop.wait()
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
            raise

    def call(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        async def run() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=120)

    def tool(self, name: str, **arguments: Any) -> Any:
        return self.call(lambda: self.client.call_tool(name, arguments))

    def data(self, name: str, **arguments: Any) -> dict[str, Any]:
        """A tool's JSON result (it must not be an error)."""
        result = self.tool(name, **arguments)
        assert not result.is_error, result.content
        text = json.loads(result.content[0].text)
        assert text == result.structured_content  # the same JSON, as text and structured
        return dict(result.structured_content)

    def error(self, name: str, **arguments: Any) -> str:
        """A tool error's message."""
        result = self.tool(name, **arguments)
        assert result.is_error, result.structured_content
        return str(result.content[0].text)

    def close(self) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._main.result(timeout=60)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()


def _start(tmp_path_factory: pytest.TempPathFactory, *args: str) -> Iterator[Server]:
    pytest.importorskip("mcp", reason="the MCP server needs the mcp package (mistakes[mcp])")
    base = tmp_path_factory.mktemp("mcp")
    folder = base / "samples"
    shutil.copytree(SAMPLES, folder)
    home = base / "home"
    home.mkdir()
    server = Server(folder, home, *args)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _start(tmp_path_factory)


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _start(tmp_path_factory, "--allow-write")


def _cli_json(*args: str, capsys: pytest.CaptureFixture[str]) -> Any:
    capsys.readouterr()
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


# -- tools ------------------------------------------------------------------------------------


def test_read_only_server_lists_the_reading_tools_with_descriptions(server: Server) -> None:
    tools = {tool.name: tool for tool in server.call(server.client.list_tools).tools}
    assert set(tools) == READ_TOOLS  # no writing tool without --allow-write
    for tool in tools.values():
        assert len(tool.description or "") > 80, tool.name
        assert tool.annotations is not None and tool.annotations.read_only_hint
    assert (tools["similar"].description or "").startswith("Call this first, before you fix")
    assert "text" in tools["similar"].input_schema["properties"]
    assert tools["show"].input_schema["required"] == ["ref"]
    # what the client shows the agent about the server says what to call first
    assert "Before you fix an error" in (server.client.instructions or "")


def test_similar_finds_the_entry_of_a_known_error_with_its_fix(server: Server) -> None:
    data = server.data("similar", text=KNOWN_ERROR)
    best = data["matches"][0]
    assert best["number"] == 5
    assert best["title"] == "Connection pool exhausted after deploy of v2.3"
    assert best["uri"] == "mistakes://005"
    assert "TimeoutError" in best["reason"]
    # the answer carries the fix and the root cause (filled in by SearchService.similar)
    assert best["fix"].startswith("Use the request-scoped session everywhere")
    assert best["root_cause"].startswith("The new recommendations view created its own")
    assert data["message"] == f"{len(data['matches'])} past entries match"


def test_similar_with_an_unknown_error_answers_in_the_same_shape(server: Server) -> None:
    data = server.data("similar", text=UNKNOWN_ERROR)
    # a traceback nobody has written up: no padding with weak matches
    assert data == {"matches": [], "message": NO_CLOSE_MATCHES}


def test_similar_with_nothing_in_common_says_no_close_matches(server: Server) -> None:
    data = server.data("similar", text="QuobbleZarnaxError: flimwort snarfed")
    assert data == {"matches": [], "message": NO_CLOSE_MATCHES}


def test_similar_of_an_entry_leaves_the_entry_out(server: Server) -> None:
    data = server.data("similar", ref="5")
    numbers = [match["number"] for match in data["matches"]]
    assert 5 not in numbers and 19 in numbers  # 019: the same pool exhausted again


def test_search_answers_as_search_json_with_fix_and_uri(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    data = server.data("search", query="connection pool tag:postgres", limit=3)
    cli = _cli_json(
        "search", "connection pool tag:postgres", "-n", "3", "--json", "--dir",
        str(server.folder), capsys=capsys,
    )  # fmt: skip
    assert [hit["number"] for hit in data["results"]] == [hit["number"] for hit in cli]
    for mine, theirs in zip(data["results"], cli, strict=True):
        assert {k: v for k, v in mine.items() if k in theirs} == theirs
        assert {"fix", "root_cause", "uri"} <= set(mine)
    assert data["notice"] == ""


def test_search_notice_and_errors(server: Server) -> None:
    assert server.data("search", query="pool title:")["notice"]  # as the CLI says it
    assert "search needs a query" in server.error("search", query="  ")
    assert "limit must be 1 or more" in server.error("search", query="pool", limit=0)


def test_show_is_show_json(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    data = server.data("show", ref="007")
    assert data == _cli_json("show", "7", "--json", "--dir", str(server.folder), capsys=capsys)


def test_a_bad_ref_is_a_tool_error_with_the_cli_message(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    message = server.error("show", ref="999")
    capsys.readouterr()
    assert main(["show", "999", "--dir", str(server.folder)]) == 1
    cli = capsys.readouterr().err.removeprefix("mistakes: ").strip()
    assert cli in message
    assert "no entry number 999" in server.error("similar", ref="999")
    assert "either text" in server.error("similar")
    # the server is still there
    assert server.data("show", ref="1")["number"] == 1


def test_a_ref_outside_the_folder_is_refused(server: Server) -> None:
    outside = server.folder.parent / "001-elsewhere.md"
    shutil.copy(next(server.folder.glob("001-*.md")), outside)
    assert "not an entry of" in server.error("show", ref=str(outside))
    assert "not an entry of" in server.error("similar", ref=str(outside))
    # refused before it is read: not even its parse error comes back
    secret = server.folder.parent / "002-notes.md"
    secret.write_text("---\ntitle: [unclosed\n---\nsecret text\n", "utf-8")
    message = server.error("show", ref=str(secret))
    assert "not an entry of" in message and "YAML" not in message


def test_todo_lists_the_open_follow_ups(server: Server) -> None:
    expected: dict[int, list[str]] = {}
    for path in sorted(server.folder.glob("*.md")):
        lines = path.read_text("utf-8").splitlines()
        items = [line[6:].strip() for line in lines if line.startswith("- [ ] ")]
        if items:
            expected[int(path.name[:3])] = items
    data = server.data("todo", limit=100)
    assert {entry["number"]: entry["open"] for entry in data["entries"]} == expected
    assert data["entries_with_open_items"] == len(expected)
    assert data["open_items"] == sum(len(items) for items in expected.values())
    newest = server.data("todo", limit=2)
    assert [entry["number"] for entry in newest["entries"]] == sorted(expected)[-1:-3:-1]
    assert newest["entries_with_open_items"] == len(expected)
    one = server.data("todo", ref="14")["entries"]
    assert [entry["number"] for entry in one] == [14] and len(one[0]["open"]) == 4


def test_an_entry_written_behind_the_servers_back_is_found(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    server.data("similar", text=UNKNOWN_ERROR)  # the index is open and in step
    made = _cli_json(
        "new", "--title", "Invoice template missing after the theme rename",
        "--section", f"Error Messages={UNKNOWN_ERROR}", "--no-env", "--json",
        "--dir", str(server.folder), capsys=capsys,
    )  # fmt: skip
    best = server.data("similar", text=UNKNOWN_ERROR)["matches"][0]
    assert best["number"] == made["number"]
    assert server.data("search", query="theme rename")["results"][0]["number"] == made["number"]


def test_new_is_refused_without_allow_write(server: Server) -> None:
    before = sorted(server.folder.iterdir())
    message = server.error("new", title="Should not be written")
    assert "--allow-write" in message
    assert sorted(server.folder.iterdir()) == before


def test_new_writes_an_entry_with_allow_write(writer: Server) -> None:
    tools = {tool.name for tool in writer.call(writer.client.list_tools).tools}
    assert tools == READ_TOOLS | {"new", "seen"}
    made = writer.data(
        "new",
        title="Template not found after renaming invoice templates",
        severity="High",
        tags=["templates", "billing"],
        sections={
            "Error Messages": UNKNOWN_ERROR,
            "Why It Happened": "The rename missed the loader's search path.",
            "fix": "Added the new folder to the Jinja loader.",
        },
        fields={"status": "resolved"},
    )
    path = Path(made["path"])
    assert path.parent == writer.folder and made["number"] == 25
    assert made["uri"] == "mistakes://025"
    shown = writer.data("show", ref=made["uri"].removeprefix("mistakes://"))
    assert shown["severity"] == "high" and shown["status"] == "resolved"
    assert shown["resolved"] == date.today().isoformat()  # the day kept, as `new` keeps it
    assert shown["tags"] == ["templates", "billing"]
    assert shown["sections"]["The Fix"] == "Added the new folder to the Jinja loader."
    assert "TemplateNotFound" in shown["sections"]["Error Messages"]
    assert shown["environment"]["python_version"]  # filled in, as the CLI does
    # the index has it at once: the next agent's similar finds it first
    assert writer.data("similar", text=UNKNOWN_ERROR)["matches"][0]["number"] == 25


def test_no_close_matches_says_to_record_it_when_the_server_writes(writer: Server) -> None:
    data = writer.data("similar", text="QuobbleZarnaxError: flimwort snarfed")
    assert data["matches"] == []
    assert data["message"] == (
        f"{NO_CLOSE_MATCHES}; once you have fixed it, record it with the new tool"
    )


def test_new_with_a_bad_value_is_a_tool_error(writer: Server) -> None:
    before = sorted(writer.folder.iterdir())
    assert "severity must be one of" in writer.error("new", title="x", severity="urgent")
    assert "no section 'Nope'" in writer.error("new", title="x", sections={"Nope": "y"})
    # Resolved asks for the root cause and the fix, as `mistakes new` and `set` do
    message = writer.error("new", title="x", sections={"fix": "y"}, fields={"status": "resolved"})
    assert "not set to resolved: Root Cause Analysis is empty" in message
    assert sorted(writer.folder.iterdir()) == before


# -- resources ---------------------------------------------------------------------------------


def test_entries_are_resources(server: Server) -> None:
    listed = server.call(server.client.list_resources).resources
    uris = [str(resource.uri) for resource in listed]
    assert len(uris) == len(list(server.folder.glob("*.md")))
    assert "mistakes://005" in uris
    five = next(r for r in listed if str(r.uri) == "mistakes://005")
    assert five.name == "005-connection-pool-exhausted-after-deploy-of-v2-3"
    read = server.call(lambda: server.client.read_resource("mistakes://005"))
    path = next(server.folder.glob("005-*.md"))
    (content,) = read.contents
    assert content.text == path.read_text("utf-8")
    assert content.mime_type == "text/markdown"


def test_an_unknown_resource_is_an_error_not_a_crash(server: Server) -> None:
    from mcp import MCPError

    with pytest.raises(MCPError, match="no entry number 999"):
        server.call(lambda: server.client.read_resource("mistakes://999"))
    assert server.data("show", ref="5")["number"] == 5


# -- the process ---------------------------------------------------------------------------------


def test_stdout_carries_only_the_protocol(tmp_path: Path) -> None:
    pytest.importorskip("mcp")
    folder = tmp_path / "samples"
    shutil.copytree(SAMPLES, folder)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-m", "mistakes", "mcp", "--dir", str(folder)],
        input="",  # the client goes away at once
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "mistakes mcp: serving" in done.stderr


def test_without_the_mcp_package_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mcp", None)  # as if mistakes[mcp] were not installed
    capsys.readouterr()
    assert main(["mcp", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == f"mistakes: {MCP_MISSING}\n"
    assert MCP_MISSING == "the MCP server needs the mcp package: pip install 'mistakes[mcp]'"


def test_seen_is_refused_without_allow_write(server: Server) -> None:
    path = next(server.folder.glob("005-*.md"))
    before = path.read_bytes()
    assert "--allow-write" in server.error("seen", ref="5", note="again")
    assert path.read_bytes() == before


def test_seen_records_an_occurrence_and_masks_secrets(writer: Server) -> None:
    path = next(writer.folder.glob("005-*.md"))
    before = path.read_text("utf-8")
    error = (
        "INFO starting\n"
        "sqlalchemy.exc.TimeoutError: QueuePool limit reached, "
        "postgres://orders:s3cr3tPassw0rd@db:5432/orders\n"
    )
    data = writer.data("seen", ref="5", error=error)
    after = path.read_text("utf-8")
    assert after.startswith(before.rstrip("\n"))  # lines appended, none rewritten
    added = after[len(before.rstrip("\n")) :]
    assert "QueuePool limit reached" in added and "s3cr3tPassw0rd" not in added
    assert data["seen"] == 1 and data["occurrences"][0]["note"].startswith("sqlalchemy.exc")
    assert data["masked"].startswith("masked 1 secret")
    assert data["uri"] == "mistakes://005"


def test_new_masks_secrets_in_sections(writer: Server) -> None:
    made = writer.data(
        "new",
        title="Login to the registry failed",
        sections={"Error Messages": "Error: denied for token ghp_" + "a1B2" * 9},
    )
    text = Path(made["path"]).read_text("utf-8")
    assert "ghp_a1B2" not in text and "[REDACTED:" in text
    assert made["masked"].startswith("masked 1 secret")


def test_todo_items_are_what_mistakes_todo_lists(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = _cli_json("--dir", str(server.folder), "todo", "--json", capsys=capsys)
    data = server.data("todo", limit=100)
    from_server = sorted(
        (entry["number"], item, text)
        for entry in data["entries"]
        for item, text in zip(entry["items"], entry["open"], strict=True)
    )
    assert from_server == sorted((i["number"], i["item"], i["text"]) for i in listed)
