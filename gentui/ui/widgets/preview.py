"""An output's preview in the terminal (textual-image): Kitty graphics, Sixel, or coloured half-blocks.

The bytes come from `gentui.core.media` (no API key, bounded, cached); here they are decoded with
Pillow in a thread, refused past `MAX_PIXELS` before anything is decoded, and shrunk to a thumbnail.
A broken image is one line saying why; nothing here blocks a key or raises into the app.
"""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

    from gentui.core.media import MediaFetcher

MAX_PIXELS = 40_000_000  # a 100 MP "image" of 100 bytes (a decompression bomb) is refused before decoding
THUMB = (480, 480)  # pixels kept for drawing: enough for a full-screen half-block or Sixel preview


def decode(data: bytes, box: tuple[int, int] = THUMB) -> PILImage:
    """The image in `data`, loaded and shrunk to fit `box` (raises ValueError with the reason)."""
    from PIL import Image, UnidentifiedImageError

    try:
        opened = Image.open(io.BytesIO(data))
        width, height = opened.size
        if width * height > MAX_PIXELS:
            raise ValueError(f"{width}×{height} pixels: too large to draw")
        if opened.format not in ("PNG", "JPEG", "GIF", "WEBP"):
            raise ValueError(f"a {opened.format or 'unknown'} image is not drawn")
        opened.load()
        image = opened.convert("RGB")
        image.thumbnail(box)
        return image
    except ValueError:
        raise
    except Image.DecompressionBombError:
        raise ValueError("too many pixels: too large to draw") from None
    except UnidentifiedImageError:
        raise ValueError("not an image Pillow can read") from None
    except (OSError, SyntaxError, EOFError, IndexError, TypeError, MemoryError) as exc:
        raise ValueError(f"a broken image ({str(exc)[:60] or type(exc).__name__})") from None


def image_widget(graphics: str, image: PILImage, classes: str = "") -> Widget:
    """The textual-image widget for this terminal."""
    from textual_image.widget import HalfcellImage, SixelImage, TGPImage

    kind: Any = {"kitty": TGPImage, "sixel": SixelImage}.get(graphics, HalfcellImage)
    widget: Widget = kind(image, classes=classes)
    return widget


class PreviewBox(Vertical):
    """One output's preview: a line saying what is happening (or why there is no picture), then the picture."""

    DEFAULT_CSS = """
    PreviewBox { height: auto; }
    PreviewBox > .picture { width: auto; height: 12; }
    PreviewBox.big > .picture { height: 1fr; width: auto; }
    PreviewBox.big { height: 1fr; }
    """

    class Loaded(Message):
        def __init__(self, url: str, image: PILImage | None, problem: str) -> None:
            super().__init__()
            self.url, self.image, self.problem = url, image, problem

    def __init__(self, *, big: bool = False, **kwargs: Any) -> None:
        super().__init__(classes="big" if big else "", **kwargs)
        self.url: str | None = None
        self.graphics = "blocks"
        self.problem = ""

    def compose(self) -> ComposeResult:
        yield Static("", classes="note")

    def _note(self, text: str, style: str = "dim") -> None:
        self.query_one(".note", Static).update(Text(text, style=style))

    def show(self, url: str | None, fetcher: MediaFetcher | None, graphics: str) -> None:
        """Preview `url` (None: no picture); fetched and decoded in a worker."""
        if url == self.url and graphics == self.graphics:
            return
        self.url, self.graphics, self.problem = url, graphics, ""
        self.query(".picture").remove()
        if url is None or fetcher is None:
            self._note("")
            self.display = False
            return
        self.display = True
        self._note("preview: fetching…")
        self.run_worker(self._load(url, fetcher), group="preview", exclusive=True, exit_on_error=False)

    async def _load(self, url: str, fetcher: MediaFetcher) -> None:
        media = await fetcher.fetch(url)
        if not media.ok:
            self.post_message(self.Loaded(url, None, media.problem))
            return
        try:
            image = await asyncio.to_thread(decode, media.data)
        except ValueError as exc:
            self.post_message(self.Loaded(url, None, str(exc)))
            return
        self.post_message(self.Loaded(url, image, ""))

    def on_preview_box_loaded(self, message: PreviewBox.Loaded) -> None:
        message.stop()
        if message.url != self.url:
            return  # another take was selected meanwhile
        if message.image is None:
            self.problem = message.problem
            self._note(f"no preview: {message.problem}", "italic")
            return
        self._note(f"preview ({self.graphics})")
        self.query(".picture").remove()
        self.mount(image_widget(self.graphics, message.image, classes="picture"))
