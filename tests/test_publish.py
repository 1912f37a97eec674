"""The publish API (Bearer token), the pushed-article store, and prewarm."""

from __future__ import annotations

import json

import pytest

from listen import create_app
from listen.cli import main

from conftest import write_article

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PUSHED = {
    "title": "Pushed from the CMS",
    "text": "A paragraph the CMS pushed on publish.",
    "language": "en",
}


@pytest.fixture
def admin(config):
    return create_app({**config, "ADMIN_TOKEN": TOKEN}).test_client()


@pytest.mark.parametrize(
    "headers, status",
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong"}, 403),
        ({"Authorization": "Basic x"}, 401),
        ({"Authorization": f"bearer {TOKEN}"}, 202),
    ],
)
def test_token_is_required(admin, headers, status):
    response = admin.put("/api/articles/new-one", json=PUSHED, headers=headers)
    assert response.status_code == status
    if status != 202:
        assert response.get_json()["error"] in ("unauthorized", "forbidden")


def test_publish_api_is_off_without_a_token(client):
    response = client.put("/api/articles/x", json=PUSHED, headers=AUTH)
    assert response.status_code == 403 and "LISTEN_ADMIN_TOKEN" in response.get_json()["message"]


def test_push_stores_synthesizes_and_is_idempotent(admin, config):
    response = admin.put("/api/articles/new-one", json=PUSHED, headers=AUTH)
    assert response.status_code == 202
    body = response.get_json()
    assert body["changed"] is True and body["status_url"].endswith("/api/articles/new-one")
    assert response.headers["Location"] == body["status_url"]
    assert admin.get("/api/articles/new-one/audio.mp3").status_code == 200
    assert admin.get("/api/articles/new-one").get_json()["status"] == "ready"
    again = admin.put("/api/articles/new-one", json=PUSHED, headers=AUTH).get_json()
    assert again["changed"] is False and again["status"] == "ready"
    # stored in SQLite in the data folder (beside the cache), and listed by the source
    from pathlib import Path

    from listen.sources.store import ArticleStore

    store = ArticleStore(Path(config["CACHE_DIR"]).parent / "listen_data" / "articles.sqlite3")
    assert store.get("new-one").title == "Pushed from the CMS"
    assert "new-one" in store.ids()


def test_a_push_overrides_the_source_and_an_edit_makes_new_audio(admin):
    url = "/api/articles/city-council-budget"
    admin.get(f"{url}/audio.mp3")
    before = admin.get(f"{url}/audio.mp3").headers["ETag"]
    edited = {"title": "Council budget (corrected)", "text": "The corrected story, in full."}
    assert admin.put(url, json=edited, headers=AUTH).status_code == 202
    assert admin.get(url).get_json()["title"] == "Council budget (corrected)"
    admin.get(f"{url}/audio.mp3")
    assert admin.get(f"{url}/audio.mp3").headers["ETag"] != before


@pytest.mark.parametrize(
    "body, status, error",
    [
        (b"{nope", 400, "bad_input"),
        (b'{"title": "T"}', 422, "unreadable_article"),
        (b'{"title": "", "text": "!!! ..."}', 422, "nothing_to_speak"),
    ],
)
def test_bad_pushes_are_refused_and_store_nothing(admin, body, status, error):
    response = admin.put(
        "/api/articles/bad", data=body, headers=AUTH, content_type="application/json"
    )
    assert response.status_code == status and response.get_json()["error"] == error
    assert admin.get("/api/articles/bad").status_code == 404


def test_refresh_and_delete_audio(admin, articles):
    url = "/api/articles/city-council-budget"
    admin.get(f"{url}/audio.mp3")
    assert admin.get(url).get_json()["status"] == "ready"
    dropped = admin.delete(f"{url}/audio", headers=AUTH)
    assert dropped.status_code == 200 and dropped.get_json()["removed"] == 1
    assert admin.get(url).get_json()["status"] == "pending"
    write_article(articles, "city-council-budget", title="Refreshed", text="New text here.")
    response = admin.post(f"{url}/refresh", headers=AUTH)
    assert response.status_code == 202
    admin.get(f"{url}/audio.mp3")
    assert admin.get(url).get_json()["title"] == "Refreshed"
    assert admin.delete(f"{url}/audio").status_code == 401


def test_delete_forgets_the_pushed_article_and_its_audio(admin):
    url = "/api/articles/pushed-then-trashed"
    assert admin.put(url, json=PUSHED, headers=AUTH).status_code == 202
    assert admin.get(f"{url}/audio.mp3").status_code == 200
    ready = admin.get(url).get_json()
    assert ready["status"] == "ready"
    deleted = admin.delete(url, headers=AUTH)
    assert deleted.status_code == 200, deleted.json
    assert deleted.get_json() == {"id": "pushed-then-trashed", "forgotten": True, "removed": 1}
    assert admin.get(url).status_code == 404  # not in the store, not in the source
    assert admin.get(f"{url}/audio.mp3").status_code == 404
    assert "pushed-then-trashed" not in admin.get("/").get_data(as_text=True)
    again = admin.delete(url, headers=AUTH)  # a retry of the same delete
    assert again.status_code == 200
    assert again.get_json() == {"id": "pushed-then-trashed", "forgotten": False, "removed": 0}
    assert admin.delete(url).status_code == 401
    assert admin.delete("/api/articles/bad%20id", headers=AUTH).status_code == 400


def test_delete_of_a_pushed_copy_reads_the_source_again(admin):
    url = "/api/articles/city-council-budget"
    source_title = admin.get(url).get_json()["title"]
    admin.put(url, json=PUSHED, headers=AUTH)
    assert admin.get(url).get_json()["title"] == PUSHED["title"]
    assert admin.delete(url, headers=AUTH).get_json()["forgotten"] is True
    assert admin.get(url).get_json()["title"] == source_title


def test_prewarm_dry_run(runner):
    result = runner.invoke(main, ["prewarm", "--all", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["articles"] == 6 and report["cached"] == 0
    assert report["characters"] > 10_000 and report["engine_requests"] >= 6 * 8
    assert report["estimated_s"] > 0
    text = runner.invoke(main, ["prewarm", "city-council-budget", "--dry-run"]).output
    assert "1 articles (0 already cached)" in text and "engine requests" in text


def test_prewarm_is_resumable_without_fetching(runner, articles):
    assert runner.invoke(main, ["prewarm", "city-council-budget"]).exit_code == 0
    # the file is now broken: a resumed run must not even read it
    (articles / "city-council-budget.txt").write_text("")
    result = runner.invoke(main, ["prewarm", "city-council-budget", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.splitlines()[-1])["cached"] == 1
    checked = runner.invoke(main, ["prewarm", "city-council-budget", "--check", "--json"])
    assert checked.exit_code == 1
    assert json.loads(checked.output.splitlines()[-1])["failures"][0]["id"] == "city-council-budget"


def test_prewarm_since_needs_a_dated_source(runner):
    result = runner.invoke(main, ["prewarm", "--all", "--since", "2026-01-01"])
    assert result.exit_code == 2 and "cannot list articles by date" in result.output
    assert runner.invoke(main, ["prewarm", "x", "--since", "2026-01-01"]).exit_code == 2


def test_redis_down_is_a_clear_503(config):
    from conftest import free_port

    client = create_app({**config, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}).test_client()
    response = client.get("/api/articles/city-council-budget/audio.mp3")
    assert response.status_code == 503 and response.get_json()["error"] == "queue_unavailable"
    assert response.headers["Retry-After"]
