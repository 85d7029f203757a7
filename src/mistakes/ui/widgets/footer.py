"""The key bar at the bottom: Textual's Footer, rebuilt only when what it shows changes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Shown = tuple[tuple[str, str, str, bool, str], ...]


class KeyFooter(Footer):
    """Textual's Footer recomposes (a new widget per key) each time the screen says its
    bindings were updated: every focus change, a tab shown, a field entered. Most of those
    leave the keys it shows as they were; at startup three such rebuilds came before the
    first frame with the entries listed (0.47 s of it on a busy machine). Here the keys are
    compared first and the footer is rebuilt only when they differ."""

    _shown: Shown | None = None  # what the last compose showed (None: nothing yet)
    _rebuilding = False  # a rebuild is on its way: it reads the keys as they are then
    _keys_due = False  # the first frame is painted: the keys are shown from now on

    def _keys(self, screen: Screen[object]) -> Shown:
        app = self.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        mine = self.is_attached and screen is self.screen
        if (
            mine
            and self._bindings_ready
            and (self._rebuilding or self._keys(screen) == self._shown)
        ):
            return  # a rebuild is pending already, or the same keys: nothing to rebuild
        super().bindings_changed(screen)
        self._rebuilding = mine and screen.app.app_focus  # (Footer's own condition)

    def compose(self) -> ComposeResult:
        self.set_reactive(Footer._bindings_ready, True)
        if not self._keys_due:
            # the first frame is the entries listed: the keys follow it (a frame later).
            # Their widgets were a third of that frame's work: 11 of its 26 widgets, and
            # 15-20 ms of a 70-90 ms start at 10,000 entries. Until then no rebuild.
            self._rebuilding = True
            self.call_after_refresh(self._show_keys)
            return
        # the app's keys are known when the footer is first composed: shown at once, rather
        # than composing nothing and rebuilding when the screen first says what they are
        self._rebuilding = False
        self._shown = self._keys(self.screen)
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # FooterKey starts compact (its class default) and the footer's binding then
                # makes it not: two restyles of every key before the first frame (6% of
                # the start); made with the footer's value, it is styled once. (The palette
                # key is not bound to the footer: it stays compact, as Footer makes it.)
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    async def _show_keys(self) -> None:
        self._keys_due = True
        if self.is_attached:
            await self.recompose()
