"""Storage: finished audio on disk, found by content address.

In: keys (hashes of what is spoken and how) and the files a build writes. Out: entries
(audio plus metadata) that are validated when read. :mod:`.cache` owns the on-disk layout,
commits and per-key locks, :mod:`.files` the one atomic-write helper and the one file
lock everything on disk uses, :mod:`.evict` keeps the cache under its size limit (least
recently played first), :mod:`.stats` counts hits, :mod:`.shapes` says what a valid
metadata record looks like.
"""
