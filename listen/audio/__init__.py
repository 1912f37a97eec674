"""Audio: spoken pieces -> one article MP3, streamed while it is built.

In: an :class:`~listen.models.Article` and a speaker (:mod:`listen.engines`). Out: the
article's MP3 in the cache, its frames readable by listeners while it grows. :mod:`.passages`
cuts a long piece into bounded passages and speaks them, :mod:`.stitch` levels, fades and joins
them with their pauses, :mod:`.mp3` encodes, counts frames and writes the tag, :mod:`.chapters`
makes the subheadings chapters, :mod:`.build` runs one build per article and lets every
listener follow it.
"""
