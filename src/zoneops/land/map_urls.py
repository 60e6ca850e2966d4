"""URLs of the parcel map and the boundary import (their own module: see land/urls.py)."""
urlpatterns = []
