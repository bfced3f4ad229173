"""A cell's card: type precedence, data from attributes, validation (gen-api.md part 0)."""

from decimal import Decimal

import pytest

from gentui.api import vocab
from gentui.core.card import Card, CardError, attributes_patch, data_from_attributes, resolve_card, validate_card


def test_type_comes_from_the_cell_attributes_first():
    card = resolve_card(cell_attributes={"generation_type": "video_from_text"},
                        column_attributes={"generation_type": "text"}, latest_user_job_type="eleven_labs",
                        column_type="audio")
    assert (card.generation_type, card.type_source) == ("video_from_text", "cell")


def test_type_then_column_attributes_then_history_then_column_type():
    assert resolve_card(cell_attributes={}, column_attributes={"generation_type": "gemini_image_generation"},
                        latest_user_job_type=None, column_type=None).generation_type == "image_from_text"
    by_history = resolve_card(cell_attributes={}, column_attributes={}, latest_user_job_type="kling_image_video",
                              column_type="video")
    assert (by_history.generation_type, by_history.type_source) == ("video_from_image", "history")
    by_column = resolve_card(cell_attributes=None, column_attributes=None, latest_user_job_type=None,
                             column_type="audio")
    assert (by_column.generation_type, by_column.type_source) == ("speech_from_text", "column type")


@pytest.mark.parametrize(
    ("user_job_type", "expected"),
    [("text_generation", "text"), ("text", "text"), ("eleven_labs", "speech_from_text"),
     ("midjourney", "image_from_text"), ("gemini_image_generation", "image_from_text"),
     ("kling_image_video", "video_from_image"), ("sora2_video_generation", "video_from_text"),
     ("kling", "video_from_text"), ("seedance_video_generation", "video_from_text"),
     ("captions", "captions"), ("lipsync", "lipsync"), ("media", "media"), ("weird_new_thing", "unknown")],
)
def test_history_types_map_back_to_canonical(user_job_type, expected):
    assert vocab.canonical_type(user_job_type) == expected


def test_data_maps_ratio_and_lipsync_model_and_drops_ui_flags():
    data = data_from_attributes({"ratio": "576:1024", "model": "veo3-fast", "duration": 8, "textMode": "ai",
                                 "autoGenerate": True})
    assert data == {"aspect_ratio": "9:16", "model": "veo_3_fast", "duration": 8}
    assert data_from_attributes({"lipSyncModel": "sync_so"}) == {"model": "sync_so"}


def test_the_card_sent_from_here_wins_over_attributes():
    local = Card("video_from_text", {"model": "sora_2", "prompt": "p"})
    card = resolve_card(cell_attributes={"model": "veo_3"}, column_attributes={"generation_type": "video_from_text"},
                        latest_user_job_type=None, column_type="video", local_card=local)
    assert card.data == {"model": "sora_2", "prompt": "p"}
    assert card.data_source == "sent from here"


def test_nothing_known_gives_empty_data():
    card = resolve_card(cell_attributes={}, column_attributes={"generation_type": "text"}, latest_user_job_type=None,
                        column_type="text")
    assert card.body() == ("text", {})


def test_estimate_follows_model_and_duration():
    assert Card("video_from_text", {"model": "veo_3", "duration": 10}).estimate() == Decimal(600)
    assert Card("video_from_text", {"model": "seedance_pro", "duration": 5}).estimate() == Decimal(250)
    assert Card("image_from_text", {"model": "midjourney"}).estimate() == Decimal(15)


def test_validate_normalises_and_names_the_bad_field():
    clean = validate_card("video_from_text", {"model": "veo3-1-fast", "prompt": "x", "duration": "10",
                                              "aspect_ratio": "576:1024"})
    assert clean == {"model": "veo_3_1_fast", "prompt": "x", "duration": 10, "aspect_ratio": "9:16"}
    with pytest.raises(CardError, match="duration"):
        validate_card("video_from_text", {"duration": "11"})
    with pytest.raises(CardError, match="model"):
        validate_card("video_from_text", {"model": "midjourney"})
    with pytest.raises(CardError, match="temperature"):
        validate_card("text", {"temperature": "3"})
    with pytest.raises(CardError, match="required: prompt"):
        validate_card("text", {}, require=True)


def test_edit_patch_writes_model_ratio_duration_only():
    card = Card("video_from_text", {"model": "veo_3", "aspect_ratio": "16:9", "duration": 8, "prompt": "p"})
    assert attributes_patch(card) == {"model": "veo_3", "ratio": "16:9", "duration": 8}
    assert attributes_patch(Card("lipsync", {"model": "gen"})) == {"lipSyncModel": "gen"}


def test_a_type_changed_in_the_editor_is_patched_so_the_next_as_is_run_keeps_it() -> None:
    edited = Card("video_from_image", {"model": "kling_2_6", "image_resource_id": "9"}, "edited", "edited")
    patch = attributes_patch(edited)
    assert patch == {"generation_type": "video_from_image", "model": "kling_2_6"}
    again = resolve_card(cell_attributes=patch, column_attributes={"generation_type": "video_from_text"},
                         latest_user_job_type=None, column_type="video", local_card=edited)
    assert (again.generation_type, again.data["image_resource_id"]) == ("video_from_image", "9")
    assert "generation_type" not in attributes_patch(Card("video_from_text", {"model": "veo_3"}, "cell", "edited"))
