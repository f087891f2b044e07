import threading

import pytest

from transforms.scrub.cache import LruCache


def test_evicts_least_recently_used_and_counts():
    cache = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    assert (cache.hits, cache.misses, len(cache)) == (3, 1, 2)
    cache.clear()
    assert len(cache) == 0 and cache.get("a") is None


def test_size_zero_keeps_nothing():
    cache = LruCache(0)
    cache.put("a", 1)
    assert cache.get("a") is None and len(cache) == 0


def test_negative_size_is_refused():
    with pytest.raises(ValueError, match="max_entries"):
        LruCache(-1)


def test_threads_never_exceed_the_bound():
    cache = LruCache(50)

    def fill(base):
        for i in range(2000):
            cache.put((base, i), i)
            cache.get((base, i - 1))

    threads = [threading.Thread(target=fill, args=(b,)) for b in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 50
