import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded evidence goes to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
