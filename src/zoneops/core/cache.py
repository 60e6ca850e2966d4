"""The default cache backend: Django's file cache, except that bytes are stored as given.

Django's FileBasedCache zlib-compresses every value at level 6. The values we store as bytes are
compressed already (the parcel map's gzipped GeoJSON): compressing them again spent ~50 ms per
2 MB and saved nothing. A level-0 zlib stream is still what FileBasedCache.get() reads.
"""
import pickle
import zlib

from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    def _write_content(self, file, timeout, value):
        expiry = self.get_backend_timeout(timeout)
        level = 0 if isinstance(value, (bytes, bytearray)) else -1
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol), level))
