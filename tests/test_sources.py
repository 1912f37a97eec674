"""Sources: ID validation, the files source, the registry."""

from __future__ import annotations

import pytest

from listen.errors import ArticleNotFound, ArticleUnreadable, ConfigError, InvalidArticleId
from listen.sources import SAMPLES, resolve_source, validate_id
from listen.sources.files import FilesSource

from conftest import write_article


@pytest.mark.parametrize(
    "article_id",
    ["a", "harbour-bridge-reopens", "A_1.v2", "x" * 128, "2026.11.27", "-lead", "_x"],
)
def test_valid_ids(article_id):
    assert validate_id(article_id) == article_id


@pytest.mark.parametrize(
    "article_id",
    [
        "",
        ".hidden",
        "..",
        "../etc/passwd",
        "a/b",
        "a\\b",
        "x" * 129,
        "a b",
        "é",
        "a\x00",
        "/abs",
        "a?b",
        "%2e%2e",
    ],
)
def test_invalid_ids(article_id):
    with pytest.raises(InvalidArticleId):
        validate_id(article_id)


def test_files_source_reads_each_format(articles):
    source = FilesSource(str(articles))
    assert source.get("harbour-bridge-reopens").html is not None
    assert source.get("city-council-budget").text.startswith("City council")
    raw = source.get("solar-farm-cooperative")
    assert raw.title and raw.html and raw.language == "en"


def test_files_source_prefers_json_and_lists_ids_once(articles):
    (articles / "dup.txt").write_text("Title\nBody.")
    write_article(articles, "dup", title="From JSON", text="Body.")
    source = FilesSource(str(articles))
    assert source.get("dup").title == "From JSON"
    ids = list(source.ids())
    assert ids.count("dup") == 1
    assert "harbour-bridge-reopens" in ids and "EXPECTED" not in ids


def test_files_source_unknown_article(articles):
    with pytest.raises(ArticleNotFound):
        FilesSource(str(articles)).get("nope")


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid UTF-8 JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"title": "T"}', "exactly one of 'html' and 'text'"),
        ('{"title": "T", "html": "<p>x</p>", "text": "x"}', "exactly one"),
        ('{"title": 5, "text": "x"}', "'title' must be a string"),
    ],
)
def test_files_source_bad_json(articles, content, message):
    (articles / "bad.json").write_text(content)
    with pytest.raises(ArticleUnreadable, match=message):
        FilesSource(str(articles)).get("bad")


def test_resolve_source(tmp_path):
    assert resolve_source("").describe() == f"files:{SAMPLES}"
    assert resolve_source(str(tmp_path)).describe() == f"files:{tmp_path}"
    assert resolve_source(f"files:{tmp_path}").describe() == f"files:{tmp_path}"
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_source(str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="cannot load"):
        resolve_source("no.such.module:Source")
