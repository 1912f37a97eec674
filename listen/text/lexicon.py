"""Lexicon: the publisher's own pronunciations, display text -> text with terms respelled.

An :class:`Entry` says how to say one term (a minister, a town, a brand) in English, in
Spanish or in both, matched as a whole word or anywhere, with or without regard to case.
Entries come from the JSON file ``LISTEN_LEXICON`` names (:func:`read_file`) and from the
publish API (``/api/lexicon``, kept in the data folder's SQLite store). A :class:`Lexicon`
compiles them into one alternation per language, longest term first, and
:meth:`Lexicon.apply` rewrites a paragraph in one left-to-right pass before the
normalizer sees it, so a respelling may use numbers and symbols the normalizer then
writes out. The pass is linear in the text: the entries and their terms are capped
(:data:`MAX_ENTRIES`, :data:`MAX_TERM`), so the work at each character is bounded.

:attr:`Lexicon.version` digests the entries: the text stage keys what it remembers by it,
so an edit is heard on the next request, in every process.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, get_args

from listen.errors import BadInput, LexiconEntryNotFound

Scope = Literal["en", "es", "both"]
"""The languages an entry applies to."""

MAX_ENTRIES = 1000
"""Entries a lexicon may hold, from the file and the API together."""
MAX_TERM = 100
"""Characters of a term."""
MAX_SAY = 300
"""Characters of a respelling."""
MAX_FILE_BYTES = 1024 * 1024
"""Bytes of a ``LISTEN_LEXICON`` file."""

FIELDS: Mapping[str, type] = {
    "term": str,
    "say": str,
    "language": str,
    "whole_word": bool,
    "case_sensitive": bool,
}
"""An entry's fields as JSON gives them; ``term`` and ``say`` are required."""
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f<>]")
"""Control characters and markup have no place in a term or a respelling."""


@dataclass(frozen=True)
class Entry:
    """How to say one term."""

    term: str
    say: str
    language: Scope = "both"
    whole_word: bool = True
    """Only where the term is not part of a longer word ("Ward" is not in "Edwards")."""
    case_sensitive: bool = False
    """Only as written ("US" the country, not "us")."""

    @property
    def key(self) -> tuple[str, str]:
        """What identifies an entry: its term and languages (an edit replaces it)."""
        return (self.term, self.language)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_entry(obj: object, where: str = "the entry") -> Entry:
    """An entry from its JSON object.

    Raises:
        BadInput: a field is missing, unknown, of the wrong type, empty or too long (400).
    """
    if not isinstance(obj, dict):
        raise BadInput(f"{where} is not a JSON object: send {example()}")
    unknown = sorted(set(obj) - set(FIELDS))
    if unknown:
        raise BadInput(
            f"{where} has unknown field(s) {', '.join(map(repr, unknown))[:120]}: use "
            + ", ".join(FIELDS)
        )
    for name in ("term", "say"):
        if name not in obj:
            raise BadInput(f"{where} has no {name!r}: send {example()}")
    for name, kind in FIELDS.items():
        if name in obj and not isinstance(obj[name], kind):
            what = "true or false" if kind is bool else "a string"
            raise BadInput(f"{where}: {name!r} must be {what}")
    term = _text(obj["term"], "term", MAX_TERM, where)
    say = _text(obj["say"], "say", MAX_SAY, where)
    language = obj.get("language", "both")
    if language not in get_args(Scope):
        raise BadInput(f"{where}: 'language' must be en, es or both, not {language[:20]!r}")
    return Entry(
        term=term,
        say=say,
        language=language,
        whole_word=obj.get("whole_word", True),
        case_sensitive=obj.get("case_sensitive", False),
    )


def _text(value: str, name: str, limit: int, where: str) -> str:
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text:
        raise BadInput(f"{where}: {name!r} is empty")
    if len(text) > limit:
        raise BadInput(f"{where}: {name!r} has {len(text)} characters, more than {limit}")
    if _BAD_CHARS.search(text):
        raise BadInput(f"{where}: {name!r} holds a control character or markup (< >)")
    return text


def example() -> str:
    return '{"term": "Sánchez", "say": "SAN-chess", "language": "es"}'


def parse_entries(items: object, where: str = "the lexicon") -> list[Entry]:
    """Entries from a JSON list of objects, each term once per language.

    Raises:
        BadInput: not a list, too many entries, a bad entry (named by its position), or
            the same term and language twice.
    """
    if not isinstance(items, list):
        raise BadInput(f"{where} is not a JSON list of entries like {example()}")
    if len(items) > MAX_ENTRIES:
        raise BadInput(f"{where} has {len(items)} entries, more than {MAX_ENTRIES}")
    entries = [parse_entry(obj, f"entry {n} of {where}") for n, obj in enumerate(items, 1)]
    seen: dict[tuple[str, str], int] = {}
    for n, entry in enumerate(entries, 1):
        if (first := seen.setdefault(entry.key, n)) != n:
            raise BadInput(
                f"entries {first} and {n} of {where} both say {entry.term[:40]!r} "
                f"({entry.language}): keep one"
            )
    return entries


def read_file(path: str | Path) -> list[Entry]:
    """The entries of a ``LISTEN_LEXICON`` file: a UTF-8 JSON list of entry objects.

    Raises:
        BadInput: the file cannot be read, is too large, is not UTF-8 JSON, or holds a bad
            entry; the message says which and why, in one line.
    """
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BadInput(f"cannot be read ({exc.strerror or exc})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise BadInput(f"is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BadInput(f"is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except ValueError as exc:
        raise BadInput(f"is not JSON ({exc})") from exc
    except RecursionError as exc:
        raise BadInput("is JSON nested too deep: a flat list of entries") from exc
    return parse_entries(items, "the file")


def merged(file: Iterable[Entry], api: Iterable[Entry]) -> list[tuple[Entry, str]]:
    """The entries in effect, each with where it comes from ("file" or "api"): an API
    entry replaces the file's for the same term and languages."""
    by_key = {e.key: (e, "file") for e in file}
    by_key.update((e.key, (e, "api")) for e in api)
    return list(by_key.values())


def _edge(term: str, at_start: bool) -> str:
    """The whole-word guard for one edge of a term, if that edge is a word character."""
    char = term[0] if at_start else term[-1]
    if not re.match(r"\w", char):
        return ""
    return r"(?<!\w)" if at_start else r"(?!\w)"


def _body(term: str) -> str:
    """A term as a pattern: its words with any run of spaces between them."""
    return r"\s+".join(re.escape(word) for word in term.split())


def _rules(entry: Entry) -> re.Pattern[str]:
    """What must hold where an entry's term is found: its case, and its word guards."""
    body = _body(entry.term)
    if entry.whole_word:
        body = _edge(entry.term, True) + body + _edge(entry.term, False)
    return re.compile(body, 0 if entry.case_sensitive else re.IGNORECASE)


_SPACE = " "
"""A run of spaces, in a folded term."""


def _lower(char: str) -> str:
    low = char.lower()
    return low if len(low) == 1 else char


class _Fold(dict[int, str]):
    """``str.translate`` table: each character lowercased when that keeps it one character,
    so a folded text has its original's offsets."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = _lower(chr(code))
        return folded


_FOLD = _Fold()


def _folded(text: str) -> str:
    """A term or a found span as the alternation sees it: lowercased, spaces as one."""
    return _SPACE.join(text.translate(_FOLD).split())


Trie = dict[str, "Trie"]
"""Terms by their next atom: a character, a class of its cases (``[Ss]``) or ``\\s+``."""
_END = ""
"""The key that marks the end of a term in a :data:`Trie`."""
_WORD_END = "(?!\\w)"
"""The key that marks the end of a term every entry of which ends a word."""


def _atoms(entry: Entry) -> list[str]:
    """A term as the trie's atoms: each character as written if the entry is case-sensitive,
    else the class of its cases; any run of spaces as one ``\\s+``."""
    atoms = []
    for char in _SPACE.join(entry.term.split()):
        cases = {char} if entry.case_sensitive else {char, _lower(char), _upper(char)}
        if char == _SPACE:
            atoms.append(r"\s+")
        elif len(cases) == 1:
            atoms.append(re.escape(char))
        else:
            atoms.append("[" + "".join(re.escape(c) for c in sorted(cases)) + "]")
    return atoms


def _upper(char: str) -> str:
    up = char.upper()
    return up if len(up) == 1 else char


def _trie_pattern(node: Trie) -> str:
    """A trie of terms as one regex: each position branches on its next atom, so the regex
    engine tries a handful of alternatives per character of the text, not one per term;
    the end of a shorter term comes last (longest first)."""
    parts = [
        key + _trie_pattern(child)
        for key, child in sorted(node.items())
        if key not in (_END, _WORD_END)
    ]
    if _END in node:
        parts.append("")
    elif _WORD_END in node:
        parts.append(_WORD_END)
    if len(parts) == 1:
        return parts[0]
    return "(?:" + "|".join(parts) + ")"


def _alternation(entries: Iterable[Entry]) -> re.Pattern[str]:
    """The trie of the entries' terms, with their case; a term every entry of which ends a
    word is not found where a letter follows it."""
    ends: dict[tuple[str, ...], bool] = {}
    for entry in entries:
        atoms = tuple(_atoms(entry))
        word_end = entry.whole_word and bool(_edge(entry.term, False))
        ends[atoms] = ends.get(atoms, True) and word_end
    root: Trie = {}
    for atoms, word_end in ends.items():
        node = root
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[_WORD_END if word_end else _END] = {}
    return re.compile(_trie_pattern(root))


def _priority(entry: Entry) -> tuple[int, bool, bool]:
    """For the same term, case-sensitive and one-language entries before the looser ones,
    so the more specific entry wins."""
    return (-len(entry.term), not entry.case_sensitive, entry.language == "both")


Span = tuple[int, int]


@dataclass(frozen=True)
class _Compiled:
    """One language's entries: their terms as two tries, the case-sensitive ones and the
    others (in each, the branches at a node are different characters, so the first term it
    finds is its longest; no groups and no guard at its start: the regex engine skips a
    position on its first character), and the entries of each folded term with the rules
    they must pass there."""

    tries: tuple[re.Pattern[str], ...]
    by_term: Mapping[str, tuple[tuple[Entry, re.Pattern[str]], ...]]

    def search(self, text: str, pos: int, ahead: list[Span | None]) -> Span | None:
        """The leftmost place from ``pos`` where a term is found, the longest there.

        ``ahead`` holds what each trie found last (``(-1, -1)`` before the first search):
        a match at or after ``pos`` is still the next one, and a trie that found none
        finds none later, so no part of the text is scanned twice by the same trie.
        """
        best = None
        for n, trie in enumerate(self.tries):
            span = ahead[n]
            if span is not None and span[0] < pos:
                ahead[n] = span = m.span() if (m := trie.search(text, pos)) is not None else None
            if span is not None and (
                best is None or span[0] < best[0] or (span[0] == best[0] and span[1] > best[1])
            ):
                best = span
        return best

    def shorter(self, text: str, start: int, end: int) -> int | None:
        """Where the longest term found at ``start`` that ends before ``end`` ends."""
        ends = [m.end() for t in self.tries if (m := t.match(text, start, end - 1)) is not None]
        return max(ends) if ends else None


def _compile(entries: Iterable[Entry]) -> _Compiled | None:
    mine = sorted(entries, key=_priority)
    if not mine:
        return None
    by_term: dict[str, list[tuple[Entry, re.Pattern[str]]]] = {}
    for entry in mine:
        by_term.setdefault(_folded(entry.term), []).append((entry, _rules(entry)))
    tries = tuple(
        _alternation(group)
        for sensitive in (True, False)
        if (group := [e for e in mine if e.case_sensitive is sensitive])
    )
    return _Compiled(tries, {t: tuple(found) for t, found in by_term.items()})


class Lexicon:
    """Entries compiled for matching: per language, their terms as tries (two alternations:
    case-sensitive and not) and the rules of each entry."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self.entries = tuple(entries)
        if len(self.entries) > MAX_ENTRIES:
            raise BadInput(f"the lexicon has {len(self.entries)} entries, more than {MAX_ENTRIES}")
        canonical = sorted(
            (e.term, e.language, e.say, e.whole_word, e.case_sensitive) for e in self.entries
        )
        self.version = (
            hashlib.sha256(json.dumps(canonical).encode()).hexdigest() if self.entries else ""
        )
        """A digest of the entries; empty for no entries."""
        self._compiled = {
            lang: _compile(e for e in self.entries if e.language in (lang, "both"))
            for lang in ("en", "es")
        }

    def apply(self, text: str, language: str) -> str:
        """``text`` with every term of ``language``'s entries replaced by how it is said,
        left to right, the longest term that passes its rules first; a respelling is
        never matched again.

        Linear in the text: the tries find where some term is (with its case, ignoring
        where words start) in one scan each, trying at each character at most one branch
        per character of a term (capped by :data:`MAX_TERM`); there, at most one try per
        shorter term checks the entries' word rules, else the scan moves on by one character.
        """
        compiled = self._compiled.get(language)
        if compiled is None:
            return text
        text = unicodedata.normalize("NFC", text)
        out: list[str] = []
        done = 0
        pos = 0
        ahead: list[Span | None] = [(-1, -1)] * len(compiled.tries)
        while (found := compiled.search(text, pos, ahead)) is not None:
            start, end = found
            said = self._said(compiled, text, start, end)
            if said is None:
                pos = start + 1
                continue
            say, end = said
            out += (text[done:start], say)
            done = pos = end
        out.append(text[done:])
        return "".join(out)

    @staticmethod
    def _said(compiled: _Compiled, text: str, start: int, end: int) -> tuple[str, int] | None:
        """How the longest term found at ``start`` that passes its rules is said, and where
        it ends; None if no term there does."""
        while end > start:
            for entry, rules in compiled.by_term.get(_folded(text[start:end]), ()):
                if (hit := rules.match(text, start)) is not None and hit.end() == end:
                    return entry.say, end
            shorter = compiled.shorter(text, start, end)
            if shorter is None:
                return None
            end = shorter
        return None

    def __len__(self) -> int:
        return len(self.entries)


EMPTY = Lexicon()


class EntryStore(Protocol):
    """Where the API's entries are kept (:class:`listen.sources.store.LexiconStore`)."""

    def generation(self) -> int: ...
    def entries(self) -> list[Entry]: ...
    def put(self, entry: Entry) -> bool: ...
    def delete(self, term: str, language: str) -> Entry | None: ...


class Pronunciations:
    """The lexicon in effect: the file's entries and the API's, as every process sees them.

    :meth:`current` asks the store for its generation (one indexed read on a kept
    connection) and compiles the entries again only when it changed.
    """

    def __init__(self, file: Iterable[Entry], store: EntryStore) -> None:
        self.file = tuple(file)
        self.store = store
        self._generation = -1
        self._lexicon = EMPTY
        self._lock = threading.Lock()

    def current(self) -> Lexicon:
        generation = self.store.generation()
        with self._lock:
            if generation != self._generation:
                entries = [e for e, _ in merged(self.file, self.store.entries())]
                self._lexicon = Lexicon(entries)
                self._generation = generation
            return self._lexicon

    def listed(self) -> list[tuple[Entry, str]]:
        """Every entry in effect and where it comes from, by term."""
        return sorted(merged(self.file, self.store.entries()), key=lambda pair: pair[0].key)

    def put(self, entry: Entry) -> bool:
        """Add or replace an API entry; True if there was none for its term and languages.

        Raises:
            BadInput: the lexicon is full (:data:`MAX_ENTRIES`).
        """
        keys = {e.key for e, _ in merged(self.file, self.store.entries())}
        if entry.key not in keys and len(keys) >= MAX_ENTRIES:
            raise BadInput(f"the lexicon holds {len(keys)} entries, its most: delete one first")
        return self.store.put(entry)

    def delete(self, term: str, language: str) -> Entry:
        """Remove an API entry (a file entry it replaced is in effect again).

        Raises:
            LexiconEntryNotFound: no API entry has that term and language (404).
        """
        term = " ".join(unicodedata.normalize("NFC", term).split())
        removed = self.store.delete(term, language)
        if removed is not None:
            return removed
        in_file = any(e.key == (term, language) for e in self.file)
        raise LexiconEntryNotFound(
            f"no lexicon entry added through the API says {term[:60]!r} ({language})"
            + (": that one comes from the LISTEN_LEXICON file; edit the file" if in_file else "")
        )
