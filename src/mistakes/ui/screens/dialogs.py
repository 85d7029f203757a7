"""Modal dialogs: a question with choices, the key help, drafts to restore."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from mistakes.ui.safe import plain


class ConfirmScreen(ModalScreen[str]):
    """A question and a few answers; dismisses with the chosen answer's id.

    Each choice is (id, label, key); escape answers ``cancel``.
    """

    BINDINGS = [Binding("escape", "dismiss('cancel')", "Cancel", show=False)]

    def __init__(self, question: str, choices: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.question))
            with Horizontal(classes="dialog-buttons"):
                for answer, label, key in self.choices:
                    yield Button(Content(f"{label} ({key})"), id=f"answer-{answer}")

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_key(self, event: events.Key) -> None:
        for answer, _label, choice_key in self.choices:
            if event.key == choice_key:
                # stopped: the key is the answer, not also a key for the screen below
                event.stop()
                event.prevent_default()
                self.dismiss(answer)
                return

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "answer-cancel").removeprefix("answer-"))


class HelpScreen(ModalScreen[None]):
    """F1: every key, what the list's words and colours mean, the query language, drafts.

    The box takes the screen's size (scrolling when it does not fit); at 120 columns and
    more the keys and the rest stand side by side."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", show=False),
        Binding("f1", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(
        self,
        keys: list[tuple[str, str]],
        fields: list[str],
        autosave_seconds: float = 3.0,
        places: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__()
        self.keys = keys  # the app's bindings
        self.fields = fields
        self.autosave_seconds = autosave_seconds
        self.places = places or []  # keys of the search box, editor, checklist (headings: "")

    @staticmethod
    def _key_parts(keys: list[tuple[str, str]]) -> list[Content | tuple[str, str] | str]:
        parts: list[Content | tuple[str, str] | str] = []
        width = max([16, *(len(key) for key, description in keys if description)])
        for key, description in keys:
            if description:
                parts.append(f"  {key:<{width}} {description}\n")
            else:  # a heading: the keys of one place
                parts.append(("\n" + key + "\n", "bold $accent"))
        return parts

    def key_lines(self) -> Content:
        """The app's keys, then the query language."""
        parts: list[Content | tuple[str, str] | str] = [("Keys", "bold"), "\n"]
        parts += self._key_parts(self.keys)
        fields = [name for name in self.fields if name != "seen"]  # said on the date line
        lines = [
            "",
            "Search",
            "",
            "  words              all must match (stemmed: connecting ~ connection)",
            '  "a phrase"         exact phrase        a OR b, a NOT b, (a OR b) c',
            "  prefix*  typo~     completions; one typo",
            "  field:value        " + " ".join(f"{name}:" for name in fields[:6]),
            "  date:2026-11       date:[2026-01 to 2026-06]   seen:>2 (seen again)",
            "  sections:          " + " ".join(f"{name}:" for name in fields[7:14]) + " ...",
            "  As you type, the last word counts as unfinished; enter on 'no match' first",
            "  searches the whole words and creates an entry only if nothing matches.",
        ]
        parts.append("\n".join(lines))
        return Content.assemble(*parts)

    def other_lines(self) -> Content:
        """Keys by place, what the list's words and colours mean, drafts."""
        # imported here: the sidebar module is the one place the words' colours are set
        from mistakes.ui.widgets.sidebar import SEVERITY_STYLE, STATUS_STYLE

        parts: list[Content | tuple[str, str] | str] = [("Keys by place", "bold"), "\n"]
        parts += self._key_parts(self.places)
        parts += [
            "\n",
            ("The results list", "bold"),
            "\n  005 Title\n      severity status date     the open entry: number reversed, "
            "'open'\n  severity: ",
        ]
        for word, style in SEVERITY_STYLE.items():
            parts += [(word, style), " "]
        parts.append("\n  status:   ")
        for word, style in STATUS_STYLE.items():
            parts += [(word, style), " "]
        lines = [
            "",
            "  F4 sets the status, F5 the severity (a letter picks); ctrl+s saves.",
            "  alt+left/right: a narrower / wider sidebar; ctrl+b hides it.",
            "",
            "Drafts",
            "",
            f"  What you type is kept as a draft every {self.autosave_seconds:g} s and when the",
            "  terminal goes away; at the next start the app offers to restore or discard it.",
            "  Saving (ctrl+s) writes the file and drops the draft.",
            "",
            "Esc, F1 or q closes.",
        ]
        parts.append("\n".join(lines))
        return Content.assemble(*parts)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-box"), Horizontal(id="help-columns"):
            yield Static(self.key_lines(), id="help-keys")
            yield Static(self.other_lines(), id="help-other")

    def on_mount(self) -> None:
        self._fit(self.app.size.width, self.app.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """The whole screen but a margin; two columns when they fit side by side."""
        box = self.query_one("#help-box")
        box.styles.width = box.styles.max_width = max(20, width - 4)
        box.styles.height = box.styles.max_height = max(5, height - 2)
        wide = width >= 120
        columns = self.query_one("#help-columns")
        columns.styles.layout = "horizontal" if wide else "vertical"
        columns.styles.height = "auto"
        for column in self.query("#help-columns > Static"):
            column.styles.width = "1fr" if wide else "100%"
            column.styles.height = "auto"


class CopyScreen(ModalScreen[None]):
    """F2/F3: the text sent to the terminal's clipboard (OSC 52), shown to copy by hand too,
    since many terminals (and tmux without set-clipboard) block OSC 52 without a word."""

    BINDINGS = [Binding("escape", "dismiss", "Close", show=False)]

    def __init__(self, what: str, text: str) -> None:
        super().__init__()
        self.what = what
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog copy-dialog"):
            yield Static(
                Content(
                    f"{self.what} sent to the terminal's clipboard (OSC 52). If your terminal"
                    " blocks that, select the text below with the mouse (shift+drag in most"
                    " terminals, or tmux's copy mode) to copy it by hand. Esc closes."
                )
            )
            area = TextArea(self.text, read_only=True, soft_wrap=True, id="copy-text")
            area.show_line_numbers = False
            yield area
