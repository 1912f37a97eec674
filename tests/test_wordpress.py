"""The WordPress source against a real WordPress: Debian's package, MariaDB and PHP.

The site (see ``wordpress_site.py``) is started once for the session on 127.0.0.1 and
filled with posts written by WordPress's own ``wp_insert_post``: block-editor markup as
the editor saves it, classic-editor text that ``wpautop`` and ``[caption]`` render, posts
in every state, 100 more for the listing's pagination, and a second site with plain
permalinks. What listen speaks of each post is read back through the API's transcript:
every paragraph of the post, each whole and on its own, and nothing of its captions.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from wordpress_site import MariaDB, WordPress, wordpress

from listen import create_app, metrics
from listen.cli import main
from listen.sources.wordpress import WordPressSource

pytestmark = pytest.mark.slow

# ---------------------------------------------------------------- block-editor markup
# As the block editor of WordPress 6.1 saves each block (its comment and its HTML).

IMAGE = "http://127.0.0.1:9/wp-content/uploads/2026/03/bridge.jpg"


def paragraph(text: str) -> str:
    return f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->"


def heading(text: str) -> str:
    return f"<!-- wp:heading -->\n<h2>{text}</h2>\n<!-- /wp:heading -->"


def bullets(*items: str) -> str:
    inner = "".join(
        f"<!-- wp:list-item -->\n<li>{item}</li>\n<!-- /wp:list-item -->" for item in items
    )
    return f"<!-- wp:list -->\n<ul>{inner}</ul>\n<!-- /wp:list -->"


def quote(text: str, cite: str) -> str:
    return (
        f'<!-- wp:quote -->\n<blockquote class="wp-block-quote">{paragraph(text)}'
        f"<cite>{cite}</cite></blockquote>\n<!-- /wp:quote -->"
    )


def image(alt: str, caption: str, media: int = 11) -> str:
    return (
        f'<!-- wp:image {{"id":{media},"sizeSlug":"large","linkDestination":"none"}} -->\n'
        f'<figure class="wp-block-image size-large"><img src="{IMAGE}" alt="{alt}" '
        f'class="wp-image-{media}"/><figcaption class="wp-element-caption">{caption}'
        "</figcaption></figure>\n<!-- /wp:image -->"
    )


def gallery(caption: str, *captions: str) -> str:
    images = "\n\n".join(image(c, c, 20 + n) for n, c in enumerate(captions))
    return (
        '<!-- wp:gallery {"linkTo":"none"} -->\n<figure class="wp-block-gallery '
        f'has-nested-images columns-default is-cropped">{images}<figcaption class='
        f'"blocks-gallery-caption wp-element-caption">{caption}</figcaption></figure>\n'
        "<!-- /wp:gallery -->"
    )


def embed(url: str, caption: str) -> str:
    return (
        f'<!-- wp:embed {{"url":"{url}","type":"video","providerNameSlug":"youtube",'
        '"responsive":true} -->\n<figure class="wp-block-embed is-type-video '
        'is-provider-youtube wp-block-embed-youtube"><div class="wp-block-embed__wrapper">\n'
        f'{url}\n</div><figcaption class="wp-element-caption">{caption}</figcaption>'
        "</figure>\n<!-- /wp:embed -->"
    )


def caption_shortcode(caption: str, media: int = 7) -> str:
    return (
        f'[caption id="attachment_{media}" align="alignnone" width="300"]<img src="{IMAGE}" '
        f'alt="" width="300" height="200" class="size-medium wp-image-{media}" /> '
        f"{caption}[/caption]"
    )


def blocks(*parts: str) -> str:
    return "\n\n".join(parts)


# ---------------------------------------------------------------- the posts

CAPTIONS = (
    "The bridge at dawn. Photo: Jane Doe",
    "Cyclists on the new deck",
    "Views from the bridge",
    "The old deck in 1990",
    "Video: the first crossing",
    "A crowd on the bridge on Monday",
    "The old library in 1962.",
)

BLOCK_POST = {
    "post_name": "harbour-bridge-reopens",
    "post_title": "Harbour bridge reopens after two years",
    "post_content": blocks(
        paragraph(
            "The harbour bridge reopened on Monday after two years of repairs, and the city "
            "council said the work came in under budget by almost a tenth."
        ),
        image("The bridge at dawn", CAPTIONS[0]),
        paragraph(
            "Thousands of residents walked across it before the first cars were let through "
            "at noon, many of them with children who had never seen the bridge open."
        ),
        heading("What changes for drivers"),
        bullets("Two lanes each way.", "A cycle lane on the east side.", "No lorries at night."),
        gallery(CAPTIONS[2], CAPTIONS[1], CAPTIONS[3]),
        quote("It feels like the city is whole again.", "Ana Ruiz, the mayor"),
        embed("https://www.youtube.com/watch?v=dQw4w9WgXcQ", CAPTIONS[4]),
        f"<!-- wp:shortcode -->\n{caption_shortcode(CAPTIONS[5])}\n<!-- /wp:shortcode -->",
        paragraph("Traffic resumes in both directions on Tuesday morning."),
    ),
}
BLOCK_SPOKEN = [
    (
        "paragraph",
        "The harbour bridge reopened on Monday after two years of repairs, and the city "
        "council said the work came in under budget by almost a tenth.",
    ),
    (
        "paragraph",
        "Thousands of residents walked across it before the first cars were let through "
        "at noon, many of them with children who had never seen the bridge open.",
    ),
    ("heading", "What changes for drivers"),
    ("item", "Two lanes each way."),
    ("item", "A cycle lane on the east side."),
    ("item", "No lorries at night."),
    ("paragraph", "It feels like the city is whole again."),
    ("paragraph", "Ana Ruiz, the mayor"),
    ("paragraph", "Traffic resumes in both directions on Tuesday morning."),
]

# Layout blocks: their paragraphs are the post's; pull quotes, tables and buttons are not.
LAYOUT_POST = {
    "post_name": "council-layout",
    "post_title": "Council meets in the new hall",
    "post_content": blocks(
        paragraph(
            'The <strong>council</strong> met on <a href="/m">Monday</a>.<br>It voted twice.'
        ),
        '<!-- wp:columns -->\n<div class="wp-block-columns"><!-- wp:column -->\n'
        f'<div class="wp-block-column">{paragraph("The left column speaks of roads.")}</div>\n'
        "<!-- /wp:column -->\n\n<!-- wp:column -->\n"
        f'<div class="wp-block-column">{paragraph("The right column speaks of parks.")}</div>\n'
        "<!-- /wp:column --></div>\n<!-- /wp:columns -->",
        '<!-- wp:group -->\n<div class="wp-block-group">'
        f"{paragraph('A group holds this paragraph.')}{heading('A heading in the group')}"
        "</div>\n<!-- /wp:group -->",
        '<!-- wp:separator -->\n<hr class="wp-block-separator has-alpha-channel-opacity"/>\n'
        "<!-- /wp:separator -->",
        '<!-- wp:pullquote -->\n<figure class="wp-block-pullquote"><blockquote><p>It voted '
        "twice.</p><cite>The clerk</cite></blockquote></figure>\n<!-- /wp:pullquote -->",
        '<!-- wp:buttons -->\n<div class="wp-block-buttons"><!-- wp:button -->\n'
        '<div class="wp-block-button"><a class="wp-block-button__link wp-element-button">'
        "Subscribe now</a></div>\n<!-- /wp:button --></div>\n<!-- /wp:buttons -->",
        '<!-- wp:verse -->\n<pre class="wp-block-verse">Roses are red,\nthe hall is new.</pre>'
        "\n<!-- /wp:verse -->",
        '<!-- wp:list {"ordered":true} -->\n<ol><!-- wp:list-item -->\n<li>First step'
        "<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>A sub step</li>\n"
        "<!-- /wp:list-item --></ul>\n<!-- /wp:list --></li>\n<!-- /wp:list-item -->"
        "<!-- wp:list-item -->\n<li>Second step</li>\n<!-- /wp:list-item --></ol>\n"
        "<!-- /wp:list -->",
        "<!-- wp:more -->\n<!--more-->\n<!-- /wp:more -->",
        '<!-- wp:table -->\n<figure class="wp-block-table"><table><tbody><tr><td>Roads</td>'
        "<td>12</td></tr></tbody></table></figure>\n<!-- /wp:table -->",
        paragraph("The council meets again next month."),
    ),
}
LAYOUT_SPOKEN = [
    ("paragraph", "The council met on Monday. It voted twice."),
    ("paragraph", "The left column speaks of roads."),
    ("paragraph", "The right column speaks of parks."),
    ("paragraph", "A group holds this paragraph."),
    ("heading", "A heading in the group"),
    ("paragraph", "Roses are red, the hall is new."),
    ("item", "First step"),
    ("item", "A sub step"),
    ("item", "Second step"),
    ("paragraph", "The council meets again next month."),
]

# The classic editor: plain text that wpautop turns into paragraphs (a blank line between
# them, a single line break a <br />) and a [caption] shortcode.
CLASSIC_POST = {
    "post_name": "library-vote",
    "post_title": "Council votes to expand the library",
    "post_content": (
        "The council voted on Tuesday to expand the central library.\n\n"
        f"{caption_shortcode(CAPTIONS[6], 9)}\n\n"
        "The vote was seven to two.\nTwo members abstained.\n\n"
        # An embed by URL on its own line: oEmbed cannot reach the provider from here.
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n"
        "Work starts in the spring."
    ),
    "post_excerpt": "Libraries win, roads wait.",
}
CLASSIC_SPOKEN = [
    ("standfirst", "Libraries win, roads wait."),
    ("paragraph", "The council voted on Tuesday to expand the central library."),
    ("paragraph", "The vote was seven to two. Two members abstained."),
    ("paragraph", "Work starts in the spring."),
]

SPANISH_POST = {
    "post_name": "mercado-central-reabre",
    "post_title": "El mercado central reabre sus puertas",
    "post_content": blocks(
        paragraph(
            "El mercado central reabrió el sábado tras una reforma de catorce meses que "
            "costó más de dos millones de euros."
        ),
        image("Puestos de fruta", "Puestos de fruta en el mercado. Foto: EFE"),
        paragraph(
            "Los vendedores recibieron a cientos de vecinos desde primera hora de la mañana, "
            "con música y degustaciones gratuitas."
        ),
        paragraph("El horario será de lunes a sábado, de ocho de la mañana a tres de la tarde."),
    ),
}
SPANISH_SPOKEN = [
    (
        "paragraph",
        "El mercado central reabrió el sábado tras una reforma de catorce meses que "
        "costó más de dos millones de euros.",
    ),
    (
        "paragraph",
        "Los vendedores recibieron a cientos de vecinos desde primera hora de la mañana, "
        "con música y degustaciones gratuitas.",
    ),
    ("paragraph", "El horario será de lunes a sábado, de ocho de la mañana a tres de la tarde."),
]

EDITED = [
    "Water rates will rise by four percent from April, the utility said on Friday.",
    "The increase pays for new pipes under the old town.",
    "Households using little water will pay less than before.",
    "The board meets again in June.",
]
EDITED_POST = {
    "post_name": "water-rates-rise",
    "post_title": "Water rates rise in April",
    "post_content": blocks(*(paragraph(text) for text in EDITED)),
}

HIDDEN = "Nobody outside the newsroom should hear this sentence."
STATES = {
    "draft": {"post_status": "draft"},
    "pending": {"post_status": "pending"},
    "scheduled": {"post_status": "future", "post_date": "2036-01-01 09:00:00"},
    "private": {"post_status": "private"},
    "trashed": {"post_status": "trash"},
    "password": {"post_status": "publish", "post_password": "open-sesame"},
}
STATE_STATUS = {
    "draft": 404,
    "pending": 404,
    "scheduled": 404,
    "private": 404,
    "trashed": 404,
    "password": 403,
}

NAMED = {
    "block": BLOCK_POST,
    "layout": LAYOUT_POST,
    "classic": CLASSIC_POST,
    "spanish": SPANISH_POST,
    "edited": EDITED_POST,
}
"""The published posts of the site but WordPress's own "Hello world!" and the bulk."""

BULK = 100
"""Short posts beside the others: more than one page (100) of the listing."""


# ---------------------------------------------------------------- the sites


@pytest.fixture(scope="session")
def site(database: MariaDB, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The pretty-permalink site and the IDs of its posts, by name."""
    folder = tmp_path_factory.mktemp("wordpress")
    with wordpress(database, folder, "pretty", permalinks="/%postname%/") as wp:
        ids = {}
        for name, post in NAMED.items():
            ids[name] = wp.insert(post)[0]
        for state, fields in STATES.items():
            post = {"post_name": f"{state}-post", "post_title": f"A {state} post"}
            ids[state] = wp.insert({**post, "post_content": paragraph(HIDDEN), **fields})[0]
        bulk = [
            {"post_title": f"Short note {n}", "post_content": paragraph(f"Note number {n}.")}
            for n in range(BULK)
        ]
        ids["bulk"] = wp.insert(*bulk)
        yield {"wp": wp, "ids": ids}


@pytest.fixture(scope="session")
def plain_site(database: MariaDB, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPress]:
    """A site with plain permalinks (``?p=123``): no ``/wp-json/``, only ``?rest_route=``."""
    folder = tmp_path_factory.mktemp("wordpress-plain")
    with wordpress(database, folder, "plain", permalinks="") as wp:
        yield wp


@pytest.fixture
def wp(site: dict[str, Any]) -> WordPress:
    return site["wp"]


@pytest.fixture
def ids(site: dict[str, Any]) -> dict[str, Any]:
    return site["ids"]


@pytest.fixture
def config(config: dict[str, Any], site: dict[str, Any]) -> dict[str, Any]:
    """The app's settings, with the real WordPress as the source, asked every time."""
    return {**config, "SOURCE": f"wordpress+{site['wp'].url}", "FETCH_FRESH": 0}


@pytest.fixture
def fetch(tmp_path: Path) -> dict[str, Any]:
    """Settings for a source of the test's own: its own page cache, the site asked every time."""
    return {"CACHE_DIR": str(tmp_path / "source-cache"), "FETCH_FRESH": 0}


def spoken(client: Any, article_id: object) -> tuple[str, str, list[tuple[str, str]]]:
    """(title, language, [(kind, text), …]) of the API's transcript of a post."""
    response = client.get(f"/api/articles/{article_id}/transcript")
    assert response.status_code == 200, response.json
    body = response.json
    return body["title"], body["language"], [(p["kind"], p["text"]) for p in body["paragraphs"]]


# ---------------------------------------------------------------- what is spoken


def test_block_editor_post_keeps_every_paragraph(client, ids):
    title, language, paragraphs = spoken(client, ids["block"])
    assert title == BLOCK_POST["post_title"]
    assert language == "en"
    assert paragraphs == BLOCK_SPOKEN
    said = " ".join(text for _, text in paragraphs)
    assert not [c for c in CAPTIONS if c in said]
    assert "youtube" not in said.lower()


def test_block_editor_post_is_timed_paragraph_by_paragraph(client, ids):
    """Reading along and click-to-play: one timed piece per paragraph, in order."""
    assert client.get(f"/api/articles/{ids['block']}/audio.mp3").status_code == 200
    timings = client.get(f"/api/articles/{ids['block']}/timings.json").json
    pieces = [(p["kind"], p["text"]) for p in timings["pieces"]]
    assert pieces == [("title", BLOCK_POST["post_title"]), *BLOCK_SPOKEN]
    starts = [p["start"] for p in timings["pieces"]]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert timings["pieces"][-1]["end"] <= timings["duration_s"] + 0.05


def test_layout_blocks_keep_their_paragraphs(client, ids):
    title, _, paragraphs = spoken(client, ids["layout"])
    assert title == LAYOUT_POST["post_title"]
    assert paragraphs == LAYOUT_SPOKEN


def test_classic_editor_post_keeps_every_paragraph(client, ids):
    title, language, paragraphs = spoken(client, ids["classic"])
    assert (title, language) == (CLASSIC_POST["post_title"], "en")
    assert paragraphs == CLASSIC_SPOKEN


def test_spanish_post(client, ids):
    title, language, paragraphs = spoken(client, ids["spanish"])
    assert (title, language) == (SPANISH_POST["post_title"], "es")
    assert paragraphs == SPANISH_SPOKEN


@pytest.mark.parametrize("name", ["block", "classic", "spanish"])
def test_post_by_slug_is_the_post_by_id(client, ids, name):
    assert spoken(client, NAMED[name]["post_name"]) == spoken(client, ids[name])


def test_edited_post_resynthesizes_only_the_changed_paragraph(client, wp, ids, fetch):
    before = metrics.synthesized()
    first = client.get(f"/api/articles/{ids['edited']}/audio.mp3")
    assert first.status_code == 200
    assert metrics.synthesized() - before == 1 + len(EDITED)  # the title and each paragraph
    modified = WordPressSource(wp.url, fetch).get(str(ids["edited"])).modified

    corrected = [*EDITED]
    corrected[2] = "Households using little water will pay less than they do today."
    time.sleep(1)  # WordPress keeps times to the second: the edit is later than the post
    wp.update(ids["edited"], post_content=blocks(*(paragraph(text) for text in corrected)))
    assert WordPressSource(wp.url, fetch).get(str(ids["edited"])).modified != modified
    assert [text for _, text in spoken(client, ids["edited"])[2]] == corrected
    edited = client.get(f"/api/articles/{ids['edited']}/audio.mp3")
    assert edited.status_code == 200 and edited.data != first.data
    assert metrics.synthesized() - before == 1 + len(EDITED) + 1  # the corrected one only


# ---------------------------------------------------------------- post states


@pytest.mark.parametrize("state", list(STATES))
def test_unpublished_and_protected_posts(client, ids, state):
    expected = STATE_STATUS[state]
    for article_id in (ids[state], f"{state}-post"):
        response = client.get(f"/api/articles/{article_id}")
        assert response.status_code == expected, (article_id, response.json)
        assert response.json["error"] == {403: "forbidden", 404: "not_found"}[expected]
        assert HIDDEN not in json.dumps(response.json)
    audio = client.get(f"/api/articles/{ids[state]}/audio.mp3")
    assert audio.status_code == expected


def test_listing_holds_the_published_posts_only(wp, ids, fetch):
    listed = list(WordPressSource(wp.url, fetch).ids())
    published = [ids[n] for n in NAMED] + ids["bulk"]
    assert set(map(int, listed)) == {1, *published}  # 1: WordPress's own "Hello world!"
    assert len(listed) == len(set(listed)) > 100
    source = WordPressSource(wp.url, fetch)
    assert list(source.ids(since="2000-01-01")) == listed  # WordPress's modified_after
    assert list(source.ids(since="2099-01-01T00:00:00")) == []


def test_prewarm_all_pages_through_the_listing(runner, wp, ids):
    result = runner.invoke(main, ["prewarm", "--all", "--concurrency", "4", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.splitlines()[-1])
    published = 1 + len(NAMED) + BULK
    assert report["synthesized"] + report["cached"] == published, report
    assert report["failed"] == 0
    again = runner.invoke(main, ["prewarm", "--all", "--json"])
    report = json.loads(again.output.splitlines()[-1])
    assert (report["synthesized"], report["cached"], report["failed"]) == (0, published, 0)


# ---------------------------------------------------------------- plain permalinks


def test_plain_permalinks_site(plain_site, fetch, config):
    post_id = plain_site.insert(SPANISH_POST)[0]
    source = WordPressSource(plain_site.url, fetch)
    assert source.root == f"{plain_site.url}/index.php?rest_route=/"
    assert str(post_id) in list(source.ids())
    client = create_app({**config, "SOURCE": f"wordpress+{plain_site.url}"}).test_client()
    assert spoken(client, post_id) == (SPANISH_POST["post_title"], "es", SPANISH_SPOKEN)
    assert spoken(client, SPANISH_POST["post_name"])[2] == SPANISH_SPOKEN


# ---------------------------------------------------------------- the podcast feed


def test_feed_dates_a_post_by_its_date_gmt_across_edits(plain_site, config):
    import io

    import podcastparser

    post = {
        "post_title": "Ferry timetable returns",
        "post_name": "ferry-timetable",
        "post_content": paragraph("The ferry runs every hour again from Monday."),
        "post_date": "2026-03-01 10:30:00",  # the site's local time, an hour ahead of UTC
        "post_date_gmt": "2026-03-01 09:30:00",
    }
    post_id = plain_site.insert(post)[0]
    client = create_app({**config, "SOURCE": f"wordpress+{plain_site.url}"}).test_client()

    def episode() -> dict[str, Any]:
        assert client.get(f"/api/articles/{post_id}/audio.mp3").status_code == 200
        feed = client.get("/feed.xml").data
        found = podcastparser.parse("http://localhost/feed.xml", io.BytesIO(feed))["episodes"]
        return next(e for e in found if e["guid"] == str(post_id))

    before = episode()
    assert before["published"] == 1772357400  # 2026-03-01 09:30:00 UTC: date_gmt
    time.sleep(1)  # WordPress keeps times to the second: the edit is later than the post
    plain_site.update(post_id, post_content=paragraph("The ferry runs every half hour."))
    after = episode()
    assert after["published"] == before["published"]  # modified changed, the date did not
    assert after["enclosures"][0]["url"] != before["enclosures"][0]["url"]
