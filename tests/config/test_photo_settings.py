"""Where inspectors' photos are kept, and how large one may be."""
from pathlib import Path

import pytest

from config.settings import SettingsError, load_settings


def test_photos_live_in_the_instance_folder_unless_told_otherwise(tmp_path):
    settings = load_settings({"HOTLINE_INSTANCE_DIR": str(tmp_path)})
    assert settings.photos == tmp_path / "photos" and settings.photo_max_bytes == 10 * 1024 * 1024
    elsewhere = load_settings({"HOTLINE_INSTANCE_DIR": str(tmp_path), "HOTLINE_PHOTO_DIR": "/srv/hotline/photos",
                               "HOTLINE_PHOTO_MAX_BYTES": "4194304"})
    assert elsewhere.photos == Path("/srv/hotline/photos") and elsewhere.photo_max_bytes == 4 * 1024 * 1024


@pytest.mark.parametrize("value", ["lots", "12"])
def test_a_photo_limit_that_is_no_size_stops_the_start(tmp_path, value):
    with pytest.raises(SettingsError, match="HOTLINE_PHOTO_MAX_BYTES"):
        load_settings({"HOTLINE_INSTANCE_DIR": str(tmp_path), "HOTLINE_PHOTO_MAX_BYTES": value})
