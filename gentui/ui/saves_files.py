"""The app's base: Textual's App with gentui's rule for where screenshots go (the same rule as exports)."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import App


class SavesFiles(App[None]):
    """Screenshots (the palette's "Screenshot") go where exports go, and a failure says why."""

    @property
    def fallback_dir(self) -> Path | None:
        """The last resort when there is no downloads folder and the current one cannot be written: the state
        folder (`Launch.state_dir`)."""
        return getattr(getattr(self, "launch", None), "state_dir", None)
    screenshot_dir: str = ""  # where the last screenshot was sent

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        from gentui.core.export import output_dir

        folder = path or str(output_dir(self.fallback_dir))
        self.screenshot_dir = folder
        return super().deliver_screenshot(filename, folder, time_format)

    def _on_delivery_complete(self, event: events.DeliveryComplete) -> None:  # the full path, as plain text
        if event.name == "screenshot" and event.path is not None:
            event.prevent_default()
            self.notify(f"screenshot saved to {Path(event.path).absolute()}", title="Screenshot", timeout=10,
                        markup=False)

    def _on_delivery_failed(self, event: events.DeliveryComplete) -> None:  # Textual's own toast gives no reason
        if event.name == "screenshot":
            event.prevent_default()
            reason = getattr(event, "exception", None) or "unknown error"
            self.notify(f"screenshot not saved in {self.screenshot_dir}: {reason}", severity="error", timeout=10, markup=False)
