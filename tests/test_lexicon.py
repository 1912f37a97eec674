"""The pronunciation lexicon: its rules, the LISTEN_LEXICON file, the publish API, the
transcript, and re-synthesis of only the paragraphs an edit changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from listen import create_app, metrics
from listen.errors import BadInput, ConfigError
from listen.settings import load
from listen.text.lexicon import MAX_ENTRIES, MAX_TERM, Entry, Lexicon, parse_entry

from conftest import write_article

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SANCHEZ = {
    "term": "Sánchez",
    "language": "es",
    "say": "San-chess",
    "whole_word": True,
    "case_sensitive": True,
}


def entry(term: str, say: str, language: str = "both", **rules: bool) -> Entry:
    return parse_entry({"term": term, "say": say, "language": language, **rules})


RULES = [
    # whole words only, by default, in any case
    (entry("Ward", "Wored"), "en", "Ward and ward met Edwards.", "Wored and Wored met Edwards."),
    (entry("Ward", "Wored", case_sensitive=True), "en", "Ward, ward.", "Wored, ward."),
    (entry("ward", "wored", whole_word=False), "en", "Edwards", "Edworeds"),
    (entry("US", "U S", "en", case_sensitive=True), "en", "US and us", "U S and us"),
    # a language's entry is not used in the other language
    (entry("US", "U S", "en"), "es", "US y us", "US y us"),
    (
        entry("Sánchez", "San-chess", "es", case_sensitive=True),
        "es",
        "Pedro Sánchez",
        "Pedro San-chess",
    ),
    (entry("Sánchez", "San-chess", "es", case_sensitive=True), "es", "SÁNCHEZ", "SÁNCHEZ"),
    (entry("Sánchez", "San-chess", "es"), "es", "SÁNCHEZ y sánchez", "San-chess y San-chess"),
    (entry("Sánchez", "San-chess", "es"), "en", "Mr Sánchez", "Mr Sánchez"),
    (entry("Sánchez", "San-chess", "es"), "es", "Sánchezes", "Sánchezes"),
    # accents composed or not, the same letters
    (entry("Sánchez", "San-chess", "es"), "es", "Sa\u0301nchez dijo", "San-chess dijo"),
    # Spanish whole words: ñ and accents are letters
    (entry("Peña", "Penya", "es"), "es", "Peñalosa y Peña", "Peñalosa y Penya"),
    (entry("Ñuñoa", "Nyunyoa", "es"), "es", "en ñuñoa.", "en Nyunyoa."),
    # several words, any spaces between them; the longest term wins
    (entry("New York", "Noo York"), "en", "New  York", "Noo York"),
    (entry("Pedro Sánchez", "el presidente"), "es", "Pedro Sánchez", "el presidente"),
    # an edge that is no word character needs no word guard
    (entry("C++", "C plus plus"), "en", "C++ and C++11", "C plus plus and C plus plus11"),
    # a respelling is never matched again
    (entry("Ward", "Ward Ward"), "en", "Ward", "Ward Ward"),
]


@pytest.mark.parametrize(("rule", "language", "text", "said"), RULES)
def test_rules(rule, language, text, said):
    assert Lexicon([rule]).apply(text, language) == said


def test_longest_term_and_the_more_specific_entry_win():
    lexicon = Lexicon(
        [
            entry("Pedro", "PAY-dro"),
            entry("Pedro Sánchez", "el presidente", "es"),
            entry("us", "uhs"),
            entry("US", "U S", "en", case_sensitive=True),
        ]
    )
    assert lexicon.apply("Pedro Sánchez y Pedro", "es") == "el presidente y PAY-dro"
    assert lexicon.apply("Pedro Sánchez and us, US", "en") == "PAY-dro Sánchez and uhs, U S"


def test_a_longer_term_that_fails_its_rules_leaves_the_shorter_one():
    lexicon = Lexicon([entry("Ward", "Wored"), entry("Wards", "W", case_sensitive=True)])
    assert lexicon.apply("wards", "en") == "wards"  # "Wards" is case-sensitive, "Ward" whole
    assert (
        Lexicon([entry("Ed", "Edd"), entry("Edwards", "E", case_sensitive=True)]).apply(
            "edwards", "en"
        )
        == "edwards"
    )
    both = Lexicon([entry("Ed", "Edd", whole_word=False), entry("Edw", "X", case_sensitive=True)])
    assert both.apply("edw", "en") == "Eddw"


def test_the_longest_term_wins_whatever_the_case_rules():
    lexicon = Lexicon(
        [
            entry("AB", "1", case_sensitive=True, whole_word=False),
            entry("abd", "2", whole_word=False),
        ]
    )
    assert lexicon.apply("ABD ABX abd", "en") == "2 1X 2"


@given(st.text(alphabet="aA bB-", max_size=80))
def test_apply_matches_a_plain_reference(text):
    """Against a naive scan: at each position, the longest entry that matches there."""
    entries = [
        entry("a", "1"),
        entry("ab", "2", whole_word=False),
        entry("Ab", "3", case_sensitive=True),
        entry("a b", "4"),
        entry("b-a", "5", whole_word=False, case_sensitive=True),
        entry("aBa", "6", whole_word=False),  # longer than "Ab", through the other case
        entry("AB", "7", case_sensitive=True),
    ]
    assert Lexicon(entries).apply(text, "en") == naive(entries, text)


def naive(entries: list[Entry], text: str) -> str:
    import re

    ordered = sorted(entries, key=lambda e: (-len(e.term), not e.case_sensitive))
    out, pos = [], 0
    while pos < len(text):
        for e in ordered:
            body = r"\s+".join(map(re.escape, e.term.split()))
            if e.whole_word:
                body = (r"(?<!\w)" if e.term[0].isalnum() else "") + body
                body += r"(?!\w)" if e.term[-1].isalnum() else ""
            if m := re.compile(body, 0 if e.case_sensitive else re.I).match(text, pos):
                out.append(e.say)
                pos = m.end()
                break
        else:
            out.append(text[pos])
            pos += 1
    return "".join(out)


# ---------------------------------------------------------------- the file


def lexicon_file(tmp_path, content: Any) -> str:
    path = tmp_path / "lexicon.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


def test_the_file_is_read_and_used(config, tmp_path, articles):
    write_article(articles, "minister", title="Budget", text="Sánchez spoke. Nobody else did.")
    config["LEXICON"] = lexicon_file(tmp_path, [SANCHEZ, {"term": "Nobody", "say": "No one"}])
    client = create_app(config).test_client()
    body = client.get("/api/articles/minister/transcript").get_json()
    assert body["language"] == "en"
    assert [p["spoken"] for p in body["paragraphs"]] == ["Sánchez spoke. No one else did."]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("{not json", "is not JSON"),
        ('{"term": "a", "say": "b"}', "is not a JSON list"),
        ([{"term": "a"}], "entry 1 of the file has no 'say'"),
        ([{"term": "a", "say": "b"}, {"term": "a", "say": "c"}], "entries 1 and 2 of the file"),
        ([{"term": "a", "say": "b", "language": "fr"}], "'language' must be en, es or both"),
        ([{"term": "a", "say": "b", "whole_word": "yes"}], "'whole_word' must be true or false"),
        ([{"term": "a", "say": "b", "spelling": "x"}], "unknown field(s) 'spelling'"),
        ([{"term": "x" * (MAX_TERM + 1), "say": "b"}], f"more than {MAX_TERM}"),
        ([{"term": f"t{n}", "say": "b"} for n in range(MAX_ENTRIES + 1)], "more than 1000"),
        (b"\xff[]", "is not UTF-8"),
    ],
)
def test_a_bad_file_stops_start_up_with_one_line(tmp_path, content, error):
    path = tmp_path / "lexicon.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load(environ={"LISTEN_LEXICON": str(path)})
    message = str(caught.value)
    assert message.startswith(f"LISTEN_LEXICON={str(path)!r}") and "\n" not in message
    assert error in message


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"LISTEN_LEXICON=.*cannot be read \(No such file"):
        load({"LEXICON": str(tmp_path / "nowhere.json")})


# ---------------------------------------------------------------- the API


@pytest.fixture
def admin(config):
    return create_app({**config, "ADMIN_TOKEN": TOKEN}).test_client()


@pytest.mark.parametrize(
    ("headers", "status"), [({}, 401), ({"Authorization": "Bearer wrong"}, 403)]
)
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/lexicon"),
        ("put", "/api/lexicon"),
        ("post", "/api/lexicon"),
        ("delete", "/api/lexicon/S%C3%A1nchez?language=es"),
    ],
)
def test_the_token_is_required(admin, headers, status, method, url):
    response = getattr(admin, method)(url, json=SANCHEZ, headers=headers)
    assert response.status_code == status and response.is_json


def test_round_trip_persists_and_every_process_sees_it(admin, config, tmp_path):
    config["LEXICON"] = lexicon_file(tmp_path, [{"term": "Ward", "say": "Wored"}])
    admin = create_app({**config, "ADMIN_TOKEN": TOKEN}).test_client()
    other = create_app({**config, "ADMIN_TOKEN": TOKEN}).test_client()  # another worker
    assert admin.get("/api/lexicon", headers=AUTH).get_json() == {
        "count": 1,
        "entries": [
            {
                "term": "Ward",
                "say": "Wored",
                "language": "both",
                "whole_word": True,
                "case_sensitive": False,
                "source": "file",
            }
        ],
    }
    added = admin.put("/api/lexicon", json=SANCHEZ, headers=AUTH)
    assert added.status_code == 201 and added.get_json()["created"] is True
    replaced = admin.post("/api/lexicon", json={**SANCHEZ, "say": "SAN-chez"}, headers=AUTH)
    assert replaced.status_code == 200 and replaced.get_json()["created"] is False
    over_file = admin.put("/api/lexicon", json={"term": "Ward", "say": "Wahd"}, headers=AUTH)
    assert over_file.status_code == 201
    listed = other.get("/api/lexicon", headers=AUTH).get_json()["entries"]
    assert [(e["term"], e["say"], e["source"]) for e in listed] == [
        ("Sánchez", "SAN-chez", "api"),
        ("Ward", "Wahd", "api"),
    ]
    # a new process (a restart) reads them back from the data folder
    fresh = create_app({**config, "ADMIN_TOKEN": TOKEN}).test_client()
    assert fresh.get("/api/lexicon", headers=AUTH).get_json()["count"] == 2

    gone = other.delete("/api/lexicon/S%C3%A1nchez?language=es", headers=AUTH)
    assert gone.status_code == 200 and gone.get_json()["removed"]["say"] == "SAN-chez"
    again = admin.delete("/api/lexicon/S%C3%A1nchez?language=es", headers=AUTH)
    assert again.status_code == 404 and again.get_json()["error"] == "not_found"
    admin.delete("/api/lexicon/Ward", headers=AUTH)
    file_only = admin.delete("/api/lexicon/Ward", headers=AUTH)
    assert file_only.status_code == 404 and "LISTEN_LEXICON" in file_only.get_json()["message"]
    assert [e["source"] for e in admin.get("/api/lexicon", headers=AUTH).get_json()["entries"]] == [
        "file"
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "is not a JSON object"),
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b'["Sanchez"]', "is not a JSON object"),
        (b'{"say": "x"}', "has no 'term'"),
        (b'{"term": "x"}', "has no 'say'"),
        (b'{"term": "  ", "say": "x"}', "'term' is empty"),
        (b'{"term": 5, "say": "x"}', "'term' must be a string"),
        (b'{"term": "a", "say": "x", "case_sensitive": 1}', "must be true or false"),
        (b'{"term": "a", "say": "x", "language": "fr"}', "en, es or both"),
        (b'{"term": "a", "say": "<b>x</b>"}', "markup"),
        (b'{"term": "a", "say": "x", "sounds": "y"}', "unknown field(s) 'sounds'"),
        (json.dumps({"term": "a" * 101, "say": "x"}).encode(), "more than 100"),
        (b'{"term": "\\ud800", "say": "x"}', "lone surrogate"),
    ],
)
def test_bad_entries_are_a_400(admin, body, error):
    response = admin.put("/api/lexicon", data=body, headers=AUTH)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "bad_input" and error in response.get_json()["message"]
    assert admin.get("/api/lexicon", headers=AUTH).get_json()["count"] == 0


def test_a_large_body_is_a_413_and_a_bad_language_to_delete_a_400(admin):
    big = admin.put("/api/lexicon", data=b" " * (65 * 1024) + b"{}", headers=AUTH)
    assert big.status_code == 413 and big.is_json
    bad = admin.delete("/api/lexicon/Ward?language=fr", headers=AUTH)
    assert bad.status_code == 400 and "en, es or both" in bad.get_json()["message"]


def test_a_full_lexicon_refuses_one_more(admin, config, tmp_path, monkeypatch):
    from listen.text import lexicon

    monkeypatch.setattr(lexicon, "MAX_ENTRIES", 2)
    for term in ("one", "two"):
        assert (
            admin.put("/api/lexicon", json={"term": term, "say": "x"}, headers=AUTH).status_code
            == 201
        )
    full = admin.put("/api/lexicon", json={"term": "three", "say": "x"}, headers=AUTH)
    assert full.status_code == 400 and "delete one first" in full.get_json()["message"]
    # replacing an entry is always allowed
    assert (
        admin.put("/api/lexicon", json={"term": "one", "say": "y"}, headers=AUTH).status_code == 200
    )


# ---------------------------------------------------------------- transcript and audio


PARAGRAPHS = [
    "The council met on Monday to discuss the harbour.",
    "Mayor Nguyen said the plan would go ahead.",
    "Residents asked questions about parking.",
    "Nguyen promised an answer next week.",
]


@pytest.fixture
def council(articles):
    write_article(articles, "council", title="Council meets", text="\n\n".join(PARAGRAPHS))
    return "council"


def test_the_transcript_shows_a_respelling(admin, council):
    page = admin.get(f"/transcript/{council}").get_data(as_text=True)
    assert "Win" not in page
    admin.put("/api/lexicon", json={"term": "Nguyen", "say": "Win", "language": "en"}, headers=AUTH)
    page = admin.get(f"/transcript/{council}").get_data(as_text=True)
    changed = [row for row in page.split("<tr") if 'class="changed"' in row]
    assert len(changed) == 2
    assert all("Nguyen" in row and "Win" in row for row in changed)
    spoken = admin.get(f"/api/articles/{council}/transcript").get_json()["paragraphs"]
    assert [p["spoken"] for p in spoken][1] == "Mayor Win said the plan would go ahead."


def test_an_edit_synthesizes_again_only_the_paragraphs_with_the_term(admin, config, council):
    other = create_app({**config, "ADMIN_TOKEN": TOKEN}).test_client()  # another worker

    def synthesized(client) -> int:
        before = metrics.synthesized()
        response = client.get(f"/api/articles/{council}/audio.mp3")
        assert response.status_code == 200 and response.data
        return metrics.synthesized() - before

    assert synthesized(other) == 1 + len(PARAGRAPHS)  # the title and each paragraph
    assert synthesized(other) == 0
    admin.put("/api/lexicon", json={"term": "Nguyen", "say": "Win"}, headers=AUTH)
    assert synthesized(other) == 2  # the edit is seen by the other process
    assert synthesized(admin) == 0
    admin.put("/api/lexicon", json={"term": "harbour", "say": "harbor"}, headers=AUTH)
    assert synthesized(other) == 1
    admin.delete("/api/lexicon/Nguyen", headers=AUTH)
    assert synthesized(other) == 0  # back to audio the cache still holds
    # an entry for the other language changes nothing
    admin.put("/api/lexicon", json={"term": "parking", "say": "x", "language": "es"}, headers=AUTH)
    assert synthesized(other) == 0


def test_a_respelling_goes_through_the_normalizer():
    from listen.text.normalize import normalize

    said = Lexicon([entry("Ward 7", "Ward 8")]).apply("Ward 7 voted", "en")
    assert normalize(said, "en") == "Ward eight voted"


def test_parse_entry_is_strict_about_types():
    with pytest.raises(BadInput):
        parse_entry({"term": "a", "say": "b", "whole_word": None})


def test_every_worker_of_a_real_server_hears_an_edit(config, council):
    """Two gunicorn workers, each with the article prepared (and remembered) before the edit."""
    import urllib.request

    from conftest import listen_serve

    settings = {f"LISTEN_{k}": str(v) for k, v in config.items() if k != "TESTING"}
    settings["LISTEN_ADMIN_TOKEN"] = TOKEN

    def spoken(base: str) -> str:
        url = f"{base}/api/articles/{council}/transcript"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())["paragraphs"][1]["spoken"]

    with listen_serve(settings, workers=2) as base:
        assert {spoken(base) for _ in range(30)} == {PARAGRAPHS[1]}
        request = urllib.request.Request(
            f"{base}/api/lexicon",
            data=json.dumps({"term": "Nguyen", "say": "Win"}).encode(),
            headers={**AUTH, "Content-Type": "application/json"},
            method="PUT",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201
        assert {spoken(base) for _ in range(30)} == {"Mayor Win said the plan would go ahead."}
