"""core/gzipped.py: the two-thread gzip reads back as one gzip stream, whatever its size."""
import gzip
import random
import zlib

import pytest

from zoneops.core import gzipped


@pytest.mark.parametrize("size", [0, 1, 1000, gzipped.PARALLEL_FROM - 1, gzipped.PARALLEL_FROM, 3 * gzipped.PARALLEL_FROM + 7])
def test_round_trip(size):
    rng = random.Random(size)
    data = "".join(rng.choice('[]0123456789.,"地块') for _ in range(size // 3 + 1)).encode()[:size]
    body = gzipped.compress(data)
    assert gzip.decompress(body) == data
    # as a browser inflates it: one streaming gzip decoder, fed in small pieces
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = b"".join(d.decompress(body[i:i + 4096]) for i in range(0, len(body), 4096)) + d.flush()
    assert out == data and d.eof and not d.unused_data


def test_compresses_repetitive_text():
    data = b'{"type":"Feature","geometry":[[121.2,28.4]]},' * 50000
    assert len(gzipped.compress(data)) < len(data) / 10
