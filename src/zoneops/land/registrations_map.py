"""The parcel map: menu entry and hooks (apart from registrations.py, which is the lifecycle's)."""
