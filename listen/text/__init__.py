"""Text: a source's raw article -> the words a listener hears.

In: a :class:`~listen.models.RawArticle` (HTML, plain text or fields). Out: an
:class:`~listen.models.Article` whose title and paragraphs carry their display text, their
language and their spoken form. The steps, in order: :mod:`.extract` (the article's blocks
out of a page), :mod:`.sanitize` (captions, credits and boilerplate dropped, by the rules in
:mod:`.phrases`), :mod:`.language` (English or Spanish, per article and paragraph) and
:mod:`.normalize` (numbers, dates, money, abbreviations written out as words).
"""
