"""core/cache.FileCache: Django's file cache that stores bytes uncompressed (they come compressed)."""
import gzip

from zoneops.core.cache import FileCache


def test_round_trip_of_bytes_and_objects(tmp_path):
    cache = FileCache(str(tmp_path), {})
    body = gzip.compress(b'{"type":"FeatureCollection"}' * 1000)
    cache.set("map", body)
    cache.set("rows", [{"a": 1}, ("b", 2.5)])
    assert cache.get("map") == body and cache.get("rows") == [{"a": 1}, ("b", 2.5)]
    stored = sorted(tmp_path.glob("*.djcache"), key=lambda p: p.stat().st_size)
    assert stored[-1].stat().st_size > len(body)  # not compressed again
    assert cache.get("missing", "x") == "x"
