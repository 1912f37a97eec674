"""Worst-case text: pathological repeats, huge numbers, hostile charsets, deep and huge pages.

Each rule is run on inputs built from its own trigger phrases and many repeats of the
fragments its patterns are made of; the assertions are about what the rules do with them
(times are in bench/adversarial.py, not here). Before the rules were made linear, these
inputs took minutes to hours.
"""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listen import create_app
from listen.errors import ArticleTooLarge, ArticleUnreadable
from listen.models import Block, RawArticle
from listen.service import Listen
from listen.settings import DEFAULTS
from listen.text import phrases
from listen.text import sanitize as s
from listen.text.decoding import ascii_compatible, decode
from listen.text.normalize import normalize
from listen.text.textutil import key
from listen.web.api import WORDS_PER_SECOND

from conftest import CORPUS, write_article

CREDIT_FRAGMENTS = ("(Photo ", "(Foto ", "Foto: ", "/ AFP ", "AFP / A ", "| Photo ", "/ Via ")
NOISE_FRAGMENTS = ("1 ", "1:", "0:00 / ", "1.", "1-", "1/", "min ", "·", "| ", " ")
NUMBER_FRAGMENTS = ("100 ", "1\u00a0", "1.", "1,", "1-", "$1 ", "1% ", "1 km ", "+1 ", "1:00 ")
ENDINGS = st.sampled_from(["", "x", ")x", " )", "."])


def repeats(fragments: tuple[str, ...], low: int = 200, high: int = 3000) -> st.SearchStrategy:
    """One fragment, or a pair of them, repeated hundreds or thousands of times."""
    piece = st.lists(st.sampled_from(fragments), min_size=1, max_size=2).map("".join)
    return st.tuples(piece, st.integers(low, high)).map(lambda t: t[0] * t[1])


def run(rule, texts):
    blocks = [Block("paragraph", t) for t in texts]
    return [b.text for b in rule(blocks, s.Context("Headline", set()))]


def test_a_player_label_followed_by_thousands_of_digits():
    # The label pattern had three side-by-side runs of the same characters: cubic.
    noise = "Listen to this article " + "1 " * 20_000
    assert run(s.drop_listen_labels, [noise + "x"]) == [noise + "x"]
    assert run(s.drop_listen_labels, [noise + "min"]) == []


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(phrases.union(phrases.LISTEN_LABELS)), repeats(NOISE_FRAGMENTS), ENDINGS)
def test_listen_labels_on_pathological_noise(label, noise, ending):
    text = f"{label} {noise}{ending}"
    kept = run(s.drop_listen_labels, [text])
    # A label followed only by player noise goes; a letter other than a unit keeps it.
    rest = key(text)[len(key(label)) :]
    has_words = any(w.isalpha() and w not in ("min", "x") for w in rest.split())
    assert kept == [text] if (ending == "x" or has_words) else kept in ([], [text])
    assert run(s.drop_listen_labels, kept) == kept  # idempotent


def test_thousands_of_photo_credits_in_one_block():
    # Each "(Photo" rescanned the block to its end: 100,000 of them took a minute.
    text = "(Photo " * 100_000
    assert run(s.drop_captions, [text, "Body text that stays."]) == [text, "Body text that stays."]
    assert s._caption_core("A man walks. (Photo: Jane Doe/AFP)") == "A man walks."


@settings(max_examples=60, deadline=None)
@given(repeats(CREDIT_FRAGMENTS), ENDINGS)
def test_every_rule_only_removes_on_credit_repeats(body, ending):
    texts = [f"A man walks. {body}{ending}", "The council met on Tuesday.", f"{body}{ending}"]
    blocks = [Block("paragraph", t) for t in texts]
    kept = [b.text for b in s.apply_rules("Headline", blocks)]
    pieces = [p for t in texts for p in s.split_long(t)]
    assert all(k in pieces for k in kept)  # a sub-sequence of the bounded blocks
    assert "The council met on Tuesday." in kept
    again = [b.text for b in s.apply_rules("Headline", [Block("paragraph", k) for k in kept])]
    assert again == kept


@pytest.mark.parametrize(
    "text, core",
    [
        ("A man walks. (Photo: Jane Doe/AFP)", "A man walks."),
        ("Protesters march. REUTERS/John Smith", "Protesters march."),
        ("El puente reabre. Foto: Juan Pérez", "El puente reabre."),
        ("The beach at dawn | Photo: Getty", "The beach at dawn"),
        ("The harbour / AFP", "The harbour"),
        ("Residents queue. (Foto: EFE)", "Residents queue."),
        ("The council approved the budget (in full) on Tuesday.", None),
    ],
)
def test_credit_patterns_still_find_credits(text, core):
    assert s._caption_core(text) == core


@settings(max_examples=60, deadline=None)
@given(repeats(NUMBER_FRAGMENTS, 500, 20_000), st.sampled_from(["en", "es"]))
def test_normalizer_on_thousands_of_numbers(text, language):
    # A number could start after every space of "100 100 100 ..." and was scanned to
    # the end of the chain each time: quadratic in every number step.
    spoken = normalize(text, language)
    assert not any(ch.isdigit() for ch in spoken)
    assert normalize(spoken, language) == spoken
    assert len(spoken) < 20 * len(text)


def test_long_digit_runs_are_said_by_their_length():
    assert normalize("1" * 40, "en") == "a number of forty digits"
    assert normalize("1" * 40, "es") == "un número de cuarenta cifras"
    assert len(normalize("1" * 30, "en").split()) == 30  # an ID: digit by digit


def service(tmp_path, **config):
    return Listen({**DEFAULTS, "ENGINES": "espeak", "CACHE_DIR": str(tmp_path), **config})


def test_a_20000_digit_number_is_not_read(tmp_path):
    raw = RawArticle(id="n", text=f"Title\nThe number is {'7' * 20_000} and that is all.")
    article = service(tmp_path).prepare(raw)
    spoken = " ".join(p.speech for p in article.paragraphs)
    assert spoken == "The number is and that is all."
    assert article.spoken_chars < 100


def test_spoken_text_is_checked_against_max_chars(tmp_path):
    # 900 characters displayed, over 5,000 spoken: "twelve thousand three hundred ...".
    raw = RawArticle(id="n", text="Title\n" + "12,345 " * 128)
    assert len(raw.text or "") < 1000
    with pytest.raises(ArticleTooLarge, match="spoken"):
        service(tmp_path, MAX_CHARS=1000).prepare(raw)
    article = service(tmp_path, MAX_CHARS=10_000).prepare(raw)
    assert article.spoken_words > 4 * article.words


def test_a_page_over_the_limit_is_refused_before_extraction(monkeypatch):
    import trafilatura

    def never(*args, **kwargs):
        raise AssertionError("trafilatura ran on a page already known to be too large")

    monkeypatch.setattr(trafilatura, "extract", never)
    page = "<html><body><article>" + "<p>Words of a very long page.</p>" * 20_000
    with pytest.raises(ArticleTooLarge) as caught:
        s.sanitize(RawArticle(id="big", html=page + "</article></body></html>"), 100_000)
    assert caught.value.status == 413
    with pytest.raises(ArticleTooLarge):
        s.sanitize(RawArticle(id="big", text="Title\n" + "Words. " * 40_000), 100_000)


def test_blocks_are_cut_at_sentences_never_mid_word():
    text = "".join(f"The council approved budget {i} after a long debate. " for i in range(200))
    assert len(text) > 3 * s.MAX_BLOCK_CHARS
    pieces = s.split_long(text)
    assert all(len(p) <= s.MAX_BLOCK_CHARS for p in pieces)
    assert all(p.endswith("debate.") for p in pieces)
    assert " ".join(pieces).split() == text.split()
    word = "x" * 5000  # never cut, and kept with what follows it
    assert s.split_long(f"a {word} b") == ["a", f"{word} b"]
    assert s.split_long(f"{word} {text}")[0] == f"{word} {pieces[0]}"
    assert s.split_long(word) == [word]
    blocks = s.apply_rules("Headline", [Block("paragraph", text)])
    assert len(blocks) == len(pieces) and all(len(b.text) <= s.MAX_BLOCK_CHARS for b in blocks)


# ---------------------------------------------------------------- decoding


def test_utf7_is_never_honoured():
    page = b'<html><head><meta charset="utf-7"></head><body><p>+ADw-script+AD4-</p></body></html>'
    text = decode(page)
    assert "<script>" not in text and "+ADw-script+AD4-" in text
    assert decode(b"+ADw-b+AD4- plain", "utf-7") == "+ADw-b+AD4- plain"
    assert not ascii_compatible("utf-16") and ascii_compatible("iso-8859-1")


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"])
def test_byte_order_marks(codec):
    bom = {
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
    }[codec]
    assert decode(bom + "Año <p>niño</p>".encode(codec)) == "Año <p>niño</p>"


def test_control_characters_reach_neither_title_nor_speech(tmp_path):
    raw = RawArticle(
        id="c",
        title="Bad\x00 title\x1b[31m here",
        text="The\x00 council\x07 met\x1b on\x7f Tuesday\x9b.\tIt voted.",
    )
    article = service(tmp_path).prepare(raw)
    spoken = " ".join(text for text, _ in article.spoken_pieces)
    shown = " ".join(article.pieces)
    for ch in "\x00\x07\x1b\x7f\x9b":
        assert ch not in spoken and ch not in shown
    assert article.title == "Bad title[31m here"
    assert article.paragraphs[0].text == "The council met on Tuesday. It voted."


# ---------------------------------------------------------------- HTML structure


def test_a_100000_deep_page_is_read_whole():
    page = (
        "<html><body><article><h1>Deep</h1>"
        + "<div>" * 100_000
        + "<p>The deep text is read.</p>"
        + "</div>" * 100_000
        + "<p>The shallow tail is read too.</p></article></body></html>"
    )
    texts = [b.text for b in s.sanitize(RawArticle(id="d", html=page)).blocks]
    assert "The deep text is read." in texts and "The shallow tail is read too." in texts


def test_a_page_too_deep_even_flattened_is_refused():
    page = "<html><body>" + "<ul><li>item " * 5000 + "</body></html>"
    with pytest.raises(ArticleUnreadable) as caught:
        s.sanitize(RawArticle(id="d", html=page))
    assert caught.value.status == 422 and "deep" in caught.value.message


# ---------------------------------------------------------------- through the API


def test_the_listening_estimate_counts_spoken_words(client, articles):

    # Eight displayed words, 64 spoken ("one million two hundred thirty-four thousand…").
    write_article(articles, "figures", title="Figures", text="1,234,567 " * 7, language="en")
    body = client.get("/api/articles/figures").get_json()
    assert body["words"] == 8
    assert body["estimated_s"] >= 64 / WORDS_PER_SECOND


def test_a_spoken_text_over_the_limit_is_a_413(config, articles):

    write_article(articles, "sums", title="Sums", text="12,345 " * 128, language="en")
    client = create_app({**config, "MAX_CHARS": 1000}).test_client()
    response = client.get("/api/articles/sums")
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"
    assert "spoken" in response.get_json()["message"]


def test_a_page_of_140000_unclosed_elements_is_refused_before_parsing(monkeypatch):
    # 1 MB of "<div>a " took 13 s of flattening, walking and trafilatura before its 413.
    from listen.text import extract

    def never(*args, **kwargs):
        raise AssertionError("a page of far too many tags was parsed")

    monkeypatch.setattr(extract, "parse_html", never)
    page = "<html><body>" + "<div>a " * 142_857 + "</body></html>"
    for html in (page, page.encode()):
        with pytest.raises(ArticleTooLarge) as caught:
            s.sanitize(RawArticle(id="deep", html=html), DEFAULTS["MAX_CHARS"])
        assert caught.value.status == 413 and "tags" in caught.value.message


@pytest.mark.parametrize(
    "tags, max_chars, refused",
    [
        (10_000, 200_000, False),  # the busiest corpus page
        (100_000, 200_000, False),
        (100_001, 200_000, True),
        (50_000, 1_000, False),  # a small limit still reads real pages
        (50_001, 1_000, True),
        (10**6, None, False),  # no limit, no refusal
    ],
)
def test_the_tag_limit_follows_max_chars(tags, max_chars, refused):
    from listen.text.extract import check_tags

    page = "<p>" * tags
    if refused:
        with pytest.raises(ArticleTooLarge):
            check_tags(page, max_chars)
    else:
        check_tags(page, max_chars)


def test_every_corpus_page_is_under_the_tag_limit():
    from listen.text.extract import check_tags

    pages = sorted(CORPUS.glob("*/html/*.html"))
    if not pages:
        pytest.skip("no corpus beside the checkout")
    for page in pages:
        check_tags(page.read_bytes(), DEFAULTS["MAX_CHARS"])


def test_a_page_of_more_blocks_than_any_article_is_refused_before_the_extractors(monkeypatch):
    # 16,000 one-word blocks (flattened from unclosed <div>s, within the tag limit) held
    # trafilatura for 1.2 s; at the tag limit it would have been several seconds.
    from listen.text import extract, maintext

    def never(*args, **kwargs):
        raise AssertionError("the extractors ran on a page of too many blocks")

    monkeypatch.setattr(maintext, "main_blocks", never)
    monkeypatch.setattr(extract, "main_blocks", never)
    page = "<html><body>" + "<p>Word.</p>" * (extract.MAX_BLOCKS + 1) + "</body></html>"
    with pytest.raises(ArticleTooLarge) as caught:
        s.sanitize(RawArticle(id="many", html=page), DEFAULTS["MAX_CHARS"])
    assert caught.value.status == 413 and "blocks" in caught.value.message
    # Without a limit (LISTEN_MAX_CHARS unset by a caller) nothing is refused.
    monkeypatch.undo()
    assert len(extract.extract_html(page, None).blocks) == extract.MAX_BLOCKS + 1


def test_a_page_of_as_many_blocks_as_allowed_is_read(monkeypatch):
    from listen.text import extract

    paragraphs = "".join(
        f"<p>The council voted on item {i} of the agenda today.</p>"
        for i in range(extract.MAX_BLOCKS - 1)
    )
    page = f"<html><body><article><h1>Minutes</h1>{paragraphs}</article></body></html>"
    blocks = s.sanitize(RawArticle(id="minutes", html=page), DEFAULTS["MAX_CHARS"]).blocks
    assert len(blocks) == extract.MAX_BLOCKS - 1


def test_a_deep_page_is_judged_by_trafilatura_alone(monkeypatch):
    # jusText walks from each paragraph up to the root: on a page 2,000 elements deep it
    # (and trafilatura's own fallback, which calls it) took 2.5 s.
    from listen.text import maintext

    asked: list[str] = []
    real = maintext._trafilatura

    def spy(doc, **kwargs):
        asked.append("fast" if kwargs.get("fast") else "full")
        return real(doc, **kwargs)

    def never(doc):
        raise AssertionError("a second opinion was asked on a page nested far too deep")

    monkeypatch.setattr(maintext, "_trafilatura", spy)
    monkeypatch.setattr(maintext, "SECOND_OPINIONS", (never,))
    depth = maintext.MAX_OPINION_DEPTH + 50
    body = "".join(f"<p>Paragraph {i} of the story is here, and it is read.</p>" for i in range(30))
    page = f"<html><body>{'<div>' * depth}<h1>Deep</h1>{body}{'</div>' * depth}</body></html>"
    blocks = s.sanitize(RawArticle(id="deep", html=page)).blocks
    assert asked == ["fast"]
    assert len(blocks) >= 30
    # A page of ordinary depth still gets trafilatura with its fallback.
    asked.clear()
    shallow = f"<html><body><article><h1>Flat</h1>{body}</article></body></html>"
    s.sanitize(RawArticle(id="flat", html=shallow))
    assert asked == ["full"]
