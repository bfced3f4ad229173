"""The GEN vocabulary: generation types, statuses, models, wire names, card fields and cost estimates.

One module, read by the client, the core and the simulator alike (CONTRACTS.md section 4:
"one vocabulary module"). Sources: gen-api.md A7 (cards, types, models) and A8 (costs).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- generation types ---------------------------------------------------------------------

TEXT = "text"
IMAGE_FROM_TEXT = "image_from_text"
VIDEO_FROM_TEXT = "video_from_text"
VIDEO_FROM_IMAGE = "video_from_image"
VIDEO_FROM_INGREDIENTS = "video_from_ingredients"
SPEECH_FROM_TEXT = "speech_from_text"
LIPSYNC = "lipsync"
CAPTIONS = "captions"
MEDIA = "media"
RENDER = "render"
UNKNOWN = "unknown"

CANONICAL_TYPES: tuple[str, ...] = (
    TEXT,
    IMAGE_FROM_TEXT,
    VIDEO_FROM_TEXT,
    VIDEO_FROM_IMAGE,
    VIDEO_FROM_INGREDIENTS,
    SPEECH_FROM_TEXT,
    LIPSYNC,
    CAPTIONS,
    MEDIA,
)

#: Short labels for narrow places (grid column headers).
TYPE_LABELS: dict[str, str] = {
    TEXT: "text",
    IMAGE_FROM_TEXT: "image",
    VIDEO_FROM_TEXT: "video",
    VIDEO_FROM_IMAGE: "img→video",
    VIDEO_FROM_INGREDIENTS: "ingr→video",
    SPEECH_FROM_TEXT: "speech",
    LIPSYNC: "lipsync",
    CAPTIONS: "captions",
    MEDIA: "media",
    RENDER: "render",
    UNKNOWN: "unknown",
}

VIDEO_TYPES = frozenset({VIDEO_FROM_TEXT, VIDEO_FROM_IMAGE, VIDEO_FROM_INGREDIENTS, LIPSYNC, RENDER})

# --- generation statuses (A6) -----------------------------------------------------------------
# The one list. A generation is in flight (it may still change, and its estimate is reserved) or
# terminal (it will not change again unless `continue` starts it anew). Anything else a server
# says is UNKNOWN, shown as unknown and never guessed. A *cell*'s status is its latest
# generation's, or IDLE when it has none.

PENDING = "pending"
PROCESSING = "processing"
COMPLETED = "completed"
FAILED = "failed"
STOPPED = "stopped"
IDLE = "idle"  # a cell with no generation yet; never a generation's status

IN_FLIGHT_STATUSES: tuple[str, ...] = (PENDING, PROCESSING)
TERMINAL_STATUSES: tuple[str, ...] = (COMPLETED, FAILED, STOPPED)
#: every status a generation can have, in lifecycle order (UNKNOWN: what the server said is not one of these)
GENERATION_STATUSES: tuple[str, ...] = (*IN_FLIGHT_STATUSES, *TERMINAL_STATUSES, UNKNOWN)
#: every status a cell can show, in the order the UI lists them
CELL_STATUSES: tuple[str, ...] = (IDLE, *IN_FLIGHT_STATUSES, *TERMINAL_STATUSES, UNKNOWN)


def is_in_flight(status: str) -> bool:
    return status in IN_FLIGHT_STATUSES


def is_terminal(status: str) -> bool:
    return status in TERMINAL_STATUSES


def known_status(value: object) -> str:
    """A server's status word as one of GENERATION_STATUSES (trimmed, lower-cased), else UNKNOWN."""
    if not isinstance(value, str):
        return UNKNOWN
    word = value.strip().lower()
    return word if word in GENERATION_STATUSES else UNKNOWN


# --- models -------------------------------------------------------------------------------

MODELS: dict[str, tuple[str, ...]] = {
    TEXT: ("gemini_2_0_flash", "gemini_2_5_pro", "gpt_4o", "gpt_4o_mini", "o3_mini", "o4_mini", "claude_sonnet_4"),
    IMAGE_FROM_TEXT: ("gemini_image", "gemini_pro_image", "midjourney", "grok"),
    VIDEO_FROM_TEXT: (
        "veo_3",
        "veo_3_fast",
        "veo_3_1",
        "veo_3_1_fast",
        "sora_2",
        "kling_1_6",
        "seedance_pro",
        "seedance_pro_1_5",
        "grok",
    ),
    VIDEO_FROM_IMAGE: (
        "kling_2_1",
        "kling_2_6",
        "veo_3",
        "veo_3_fast",
        "veo_3_1",
        "veo_3_1_fast",
        "sora_2",
        "seedance_lite",
        "seedance_pro",
        "seedance_pro_1_5",
        "grok",
    ),
    VIDEO_FROM_INGREDIENTS: ("pika", "kling_1_6", "seedance_lite", "veo_3_1", "veo_3_1_fast"),
    SPEECH_FROM_TEXT: (),
    LIPSYNC: ("sync_so", "gen"),
    CAPTIONS: ("gemini",),
    MEDIA: (),
}

DEFAULT_MODEL: dict[str, str | None] = {
    TEXT: "gemini_2_0_flash",
    IMAGE_FROM_TEXT: "gemini_image",
    VIDEO_FROM_TEXT: "veo_3_1_fast",
    VIDEO_FROM_IMAGE: "kling_2_6",
    VIDEO_FROM_INGREDIENTS: "veo_3_1_fast",
    SPEECH_FROM_TEXT: None,
    LIPSYNC: "sync_so",
    CAPTIONS: "gemini",
    MEDIA: None,
}

#: Older model spellings (gen-api.md C2, A7.2) -> current canonical spelling.
MODEL_ALIASES: dict[str, str] = {
    "veo3": "veo_3",
    "veo3-fast": "veo_3_fast",
    "veo3-1": "veo_3_1",
    "veo3-1-fast": "veo_3_1_fast",
    "kling-v1-6": "kling_1_6",
    "kling-v2-1": "kling_2_1",
    "kling-v2-6": "kling_2_6",
    "seedance-1.0-pro": "seedance_pro",
    "seedance-1.5-pro": "seedance_pro_1_5",
    "seedance-1.0-lite": "seedance_lite",
    "gemini_pro": "gemini_pro_image",
    "sync.so": "sync_so",
    "lipsync-v1": "sync_so",
    "lipsync-v2": "gen",
    "sora2": "sora_2",
    "sora-2": "sora_2",
}

ALL_MODELS: frozenset[str] = frozenset(m for ms in MODELS.values() for m in ms)


def canonical_model(model: str | None) -> str | None:
    """The current spelling of a model name; unknown names pass through unchanged."""
    if model is None:
        return None
    text = str(model).strip()
    return MODEL_ALIASES.get(text, MODEL_ALIASES.get(text.lower(), text))


# --- aspect ratios and durations ------------------------------------------------------------

ASPECT_RATIOS: dict[str, tuple[str, ...]] = {
    IMAGE_FROM_TEXT: ("1:1", "9:16", "16:9", "4:3", "3:4"),
    VIDEO_FROM_TEXT: ("1:1", "9:16", "16:9"),
    VIDEO_FROM_IMAGE: ("1:1", "9:16", "16:9"),
    VIDEO_FROM_INGREDIENTS: ("1:1", "9:16", "16:9"),
}
#: Pixel spellings of the March docs -> ratio.
ASPECT_ALIASES: dict[str, str] = {"1024:1024": "1:1", "576:1024": "9:16", "1024:576": "16:9"}

DURATION_MIN, DURATION_MAX = 1, 10
DEFAULT_DURATION = 5


def canonical_aspect(value: str | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return ASPECT_ALIASES.get(text, text)


# --- wire names (A7.2) ----------------------------------------------------------------------

INTERNAL_TYPES: frozenset[str] = frozenset(
    {
        "text_generation",
        "eleven_labs",
        "midjourney",
        "grok_image_generation",
        "gemini_image_generation",
        "grok_video_generation",
        "sora2_video_generation",
        "kling",
        "kling_image_video",
        "seedance_video_generation",
        "gemini_video_generation",
    }
)

#: Older per-card names from the March-April docs, also accepted and read back.
LEGACY_TYPES: dict[str, str] = {
    "gemini_content_generation": TEXT,
    "openai_content_generation": TEXT,
    "kling_img2video": VIDEO_FROM_IMAGE,
    "pika": VIDEO_FROM_INGREDIENTS,
    "design_voice": SPEECH_FROM_TEXT,
    "clone_voice": SPEECH_FROM_TEXT,
    "sync_so_lip_sync": LIPSYNC,
    "latent_sync": LIPSYNC,
    "gemini_caption_generation": CAPTIONS,
    "image_generation": IMAGE_FROM_TEXT,
    "video_generation": VIDEO_FROM_TEXT,
    "audio_generation": SPEECH_FROM_TEXT,
    "eleven_labs_voice": SPEECH_FROM_TEXT,
    "render": RENDER,
    "remotion": RENDER,
}


def internal_type(generation_type: str, model: str | None) -> str:
    """The name the official SDK and MCP server POST for a canonical type (A7.2, fallbacks included)."""
    m = (canonical_model(model) or "").lower()
    if generation_type == TEXT:
        return "text_generation"
    if generation_type == SPEECH_FROM_TEXT:
        return "eleven_labs"
    if generation_type == IMAGE_FROM_TEXT:
        if m == "midjourney":
            return "midjourney"
        if m == "grok":
            return "grok_image_generation"
        return "gemini_image_generation"
    if generation_type == VIDEO_FROM_TEXT:
        if m == "grok":
            return "grok_video_generation"
        if m.startswith("sora"):
            return "sora2_video_generation"
        if m.startswith("kling"):
            return "kling"
        if m.startswith("seedance"):
            return "seedance_video_generation"
        return "gemini_video_generation"
    if generation_type == VIDEO_FROM_IMAGE:
        if m == "grok":
            return "grok_video_generation"
        if m.startswith("kling"):
            return "kling_image_video"
        if m.startswith("sora"):
            return "sora2_video_generation"
        if m.startswith("seedance"):
            return "seedance_video_generation"
        return "gemini_video_generation"
    return generation_type


def wire_type(generation_type: str, model: str | None, vocabulary: str = "internal") -> str:
    """What goes in the `generation_type` field of a generate body."""
    if vocabulary == "canonical":
        return generation_type
    return internal_type(generation_type, model)


def canonical_type(name: str | None, model: str | None = None) -> str:
    """Map any generation_type / user_job_type spelling back to a canonical type (part 0).

    Unknown names give ``UNKNOWN``, never an exception.
    """
    if not name:
        return UNKNOWN
    n = str(name).strip().lower()
    if n in CANONICAL_TYPES or n == RENDER:
        return n
    if n in ("text_generation", "text"):
        return TEXT
    if n == "eleven_labs":
        return SPEECH_FROM_TEXT
    if n == "midjourney" or n.endswith("_image_generation"):
        return IMAGE_FROM_TEXT
    if n in ("kling_image_video", "kling_img2video"):
        return VIDEO_FROM_IMAGE
    if n in LEGACY_TYPES:
        return LEGACY_TYPES[n]
    if n.endswith("_video_generation") or n == "kling" or n.startswith(("sora2_", "seedance_")):
        return VIDEO_FROM_TEXT
    if "lipsync" in n or "lip_sync" in n:
        return LIPSYNC
    if "caption" in n:
        return CAPTIONS
    return UNKNOWN


COLUMN_TYPE_DEFAULT: dict[str, str] = {
    "text": TEXT,
    "image": IMAGE_FROM_TEXT,
    "video": VIDEO_FROM_TEXT,
    "audio": SPEECH_FROM_TEXT,
}

# --- card fields ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One field of a card's `data`, as the card editor shows it."""

    name: str
    kind: str  # "text" | "longtext" | "choice" | "int" | "float" | "bool" | "id" | "ids"
    required: bool = False
    choices: tuple[str, ...] = ()
    label: str = ""
    help: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")


def _model(gt: str, required: bool = False) -> FieldSpec:
    return FieldSpec("model", "choice", required, MODELS[gt])


def _aspect(gt: str) -> FieldSpec:
    return FieldSpec("aspect_ratio", "choice", False, ASPECT_RATIOS[gt], "aspect ratio")


_DURATION = FieldSpec("duration", "int", False, help="seconds, 1-10 (model-dependent)")

CARD_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    TEXT: (
        _model(TEXT),
        FieldSpec("prompt", "longtext", True, help="supports {{variables}}"),
        FieldSpec("temperature", "float", help="0.0-1.0, default 0.2"),
        FieldSpec("max_length", "int", help="tokens"),
    ),
    IMAGE_FROM_TEXT: (
        _model(IMAGE_FROM_TEXT),
        FieldSpec("prompt", "longtext", True),
        _aspect(IMAGE_FROM_TEXT),
        FieldSpec("number_of_images", "int", help="default 1"),
        FieldSpec("content_resource_ids", "ids", help="reference images"),
    ),
    VIDEO_FROM_TEXT: (
        _model(VIDEO_FROM_TEXT),
        FieldSpec("prompt", "longtext", True),
        FieldSpec("negative_prompt", "longtext", label="negative prompt"),
        _aspect(VIDEO_FROM_TEXT),
        _DURATION,
    ),
    VIDEO_FROM_IMAGE: (
        _model(VIDEO_FROM_IMAGE),
        FieldSpec("image_resource_id", "id", True, label="image resource id"),
        FieldSpec("image_tail_resource_id", "id", label="end frame resource id"),
        FieldSpec("prompt", "longtext"),
        FieldSpec("negative_prompt", "longtext", label="negative prompt"),
        _aspect(VIDEO_FROM_IMAGE),
        _DURATION,
    ),
    VIDEO_FROM_INGREDIENTS: (
        _model(VIDEO_FROM_INGREDIENTS),
        FieldSpec("prompt", "longtext", True),
        FieldSpec("asset_resource_ids", "ids", True, label="asset resource ids"),
        _aspect(VIDEO_FROM_INGREDIENTS),
        _DURATION,
    ),
    SPEECH_FROM_TEXT: (
        FieldSpec("script", "longtext", True),
        FieldSpec("voice_method", "choice", True, ("my_voices", "design_voice", "clone_voice"), "voice method"),
        FieldSpec("voice_id", "text", label="voice id", help="my_voices"),
        FieldSpec("name", "text", help="design_voice / clone_voice"),
        FieldSpec("language", "text"),
        FieldSpec("gender", "choice", choices=("male", "female")),
        FieldSpec("voice_prompt", "longtext", label="voice prompt", help="design_voice"),
        FieldSpec("audio_resource_id", "id", label="audio sample resource id", help="clone_voice"),
        FieldSpec("speed", "float"),
        FieldSpec("enhance_voice", "bool", label="enhance voice"),
    ),
    LIPSYNC: (
        _model(LIPSYNC, True),
        FieldSpec("video_resource_id", "id", True, label="video resource id"),
        FieldSpec("audio_resource_id", "id", True, label="audio resource id"),
    ),
    CAPTIONS: (
        _model(CAPTIONS, True),
        FieldSpec("source_resource_id", "id", True, label="source resource id"),
    ),
    MEDIA: (FieldSpec("content_resource_id", "id", label="content resource id"),),
}


def required_fields(generation_type: str) -> tuple[str, ...]:
    return tuple(f.name for f in CARD_FIELDS.get(generation_type, ()) if f.required)
