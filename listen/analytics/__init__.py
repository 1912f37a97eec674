"""Analytics: the player's listening events in, per-article per-day counts out.

:mod:`.events` validates one event (``{"article", "kind", "value"}``), :mod:`.limiter`
bounds how many one client may send a minute (in memory, by a salted hash of its
address, never stored), and :mod:`.counts` adds events up per article per day in SQLite
in the cache folder and reads them back for ``listen stats``. No cookie, IP address or
user agent is kept anywhere; only the counts are.
"""
