"""Storage: finished audio on disk, found by content address.

In: keys (hashes of what is spoken and how) and the files a build writes. Out: entries
(audio plus metadata) that are validated when read. :mod:`.cache` owns the on-disk layout,
atomic commits and per-key locks, :mod:`.evict` keeps the cache under its size limit by
hits, :mod:`.shapes` says what a valid metadata record looks like.
"""
