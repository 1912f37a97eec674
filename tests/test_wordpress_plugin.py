"""The WordPress plugin (``integrations/wordpress/listen``) in a real WordPress, pushing to
a real ``listen serve`` (espeak-ng).

The site (``wordpress_site.py``) gets the plugin folder as its plugins folder, as a
publisher copies it into ``wp-content/plugins``; it is activated and configured with
WordPress's own functions (``tool.php``: ``activate_plugin``, ``update_option``). The
sites set ``DISABLE_WP_CRON``, so nothing runs on its own: the tests are WP-Cron's clock
(``tool.php``'s ``cron`` command runs the plugin's due events as ``wp-cron.php`` would).
listen's source is an empty folder: it knows a post only once the plugin pushed it.
"""

from __future__ import annotations

import calendar
import json
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
from wordpress_site import PASSWORD, MariaDB, WordPress, wordpress

from listen import create_app

from conftest import closed_port_url, decode_mp3, listen_serve

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = ROOT / "integrations" / "wordpress" / "listen"
ARTIFACTS = ROOT / "test-artifacts"
"""Screenshots (README's docs/wordpress-*.png are copies of them)."""
TOKEN = "wp-plugin-test-token-5c1e"
OPTION = "listen_settings"
HOOK = "listen_sync"


def paragraph(text: str) -> str:
    return f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->"


def post(title: str, *paragraphs: str, extra: str = "") -> dict[str, Any]:
    return {"post_title": title, "post_content": "\n\n".join(map(paragraph, paragraphs)) + extra}


BRIDGE = (
    "The harbour bridge reopened on Monday after two years of repairs.",
    "Thousands of residents walked across it before the first cars were let through.",
    "Traffic resumes in both directions on Tuesday morning.",
)


# ---------------------------------------------------------------- the servers


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The listen service's cache folder."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Iterator[str]:
    empty = tmp_path_factory.mktemp("no-articles")
    settings = {
        "LISTEN_ENGINES": "espeak",
        "LISTEN_SOURCE": str(empty),
        "LISTEN_CACHE_DIR": str(cache_dir),
        "LISTEN_ADMIN_TOKEN": TOKEN,
    }
    with listen_serve(settings) as base:
        yield base


@pytest.fixture(scope="module")
def wp(
    database: MariaDB, service: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WordPress]:
    """The site with the plugin copied in, activated and given its two settings."""
    plugins = tmp_path_factory.mktemp("plugins")
    (plugins / "listen").symlink_to(PLUGIN, target_is_directory=True)
    folder = tmp_path_factory.mktemp("wordpress-plugin")
    with wordpress(database, folder, "plugin", permalinks="/%postname%/", plugins=plugins) as site:
        active = site.tool({"activate": "listen/listen.php"})["active"]
        assert active == ["listen/listen.php"]
        configure(site, url=service, token=TOKEN)
        yield site


def configure(site: WordPress, **settings: Any) -> dict[str, Any]:
    """Store the plugin's settings (those given, on top of the stored ones)."""
    stored = site.tool({"get": [OPTION]})["get"][OPTION] or {}
    answer: dict[str, Any] = site.tool({"options": {OPTION: {**stored, **settings}}})["options"]
    return answer[OPTION]


def cron(site: WordPress, ahead: float = 0) -> list[Any]:
    """Run the plugin's events due within ``ahead`` seconds; what ran."""
    ran: list[Any] = site.tool({"cron": HOOK, "ahead": ahead})["ran"]
    return ran


def meta(site: WordPress, post_id: int) -> dict[str, str]:
    values: dict[str, str] = site.tool({"meta": post_id})["meta"]
    return {k: v for k, v in values.items() if k.startswith("_listen")}


def get(url: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def article(service: str, post_id: int) -> tuple[int, dict[str, Any]]:
    status, body = get(f"{service}/api/articles/{post_id}")
    return status, json.loads(body)


def ready(service: str, post_id: int, seconds: float = 120) -> dict[str, Any]:
    """The article's status once its audio is built."""
    deadline = time.monotonic() + seconds
    while True:
        status, body = article(service, post_id)
        assert status == 200, body
        if body["status"] == "ready":
            return body
        assert body["status"] == "pending", body
        assert time.monotonic() < deadline, body
        time.sleep(0.3)


def synthesized(service: str) -> float:
    """Pieces espeak-ng spoke so far (listen's /metrics)."""
    _, text = get(f"{service}/metrics")
    found = re.findall(
        r'^listen_synthesis_total\{engine="espeak",status="ok"\} (\S+)$', text.decode(), re.M
    )
    return sum(map(float, found))


def published(site: WordPress, service: str, *posts: dict[str, Any]) -> list[int]:
    """Insert posts, run WP-Cron, wait for their audio."""
    ids = site.insert(*posts)
    cron(site)
    for post_id in ids:
        ready(service, post_id)
    return ids


def page_of(site: WordPress, post_id: int) -> str:
    status, body = get(f"{site.url}/?p={post_id}")
    assert status == 200
    return body.decode()


# ---------------------------------------------------------------- the code itself

PHP_FILES = sorted(PLUGIN.rglob("*.php"))


def test_every_php_file_parses():
    assert len(PHP_FILES) >= 6
    for path in PHP_FILES:
        done = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


ESCAPED_ECHO = re.compile(r"\becho\s+(esc_html__|esc_html|esc_attr|esc_url)\(")


def test_coding_standard_basics():
    """WordPress's basics, by grep: every echo escaped, every form and admin action with
    a nonce and a capability check, request input sanitized, the plugin's headers."""
    actions = 0
    for path in PHP_FILES:
        text = path.read_text("utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if re.search(r"\becho\b", line) and not line.lstrip().startswith(("*", "//")):
                assert ESCAPED_ECHO.search(line), f"{path.name}:{number}: {line.strip()}"
            assert "print(" not in line and "printf(" not in line.replace("sprintf(", "")
            if "$_GET" in line or "$_POST" in line or "$_REQUEST" in line:
                assert re.search(r"absint\(|sanitize_\w+\(|isset\(", line), f"{path.name}:{number}"
        nonces = re.findall(r"<\?php (?:settings_fields|wp_nonce_field)\( '", text)
        assert text.count("<form") == len(nonces), path
        handlers = re.findall(r"'admin_post_\w+',\s*function[^{]*\{(.*?)\n\t\}", text, re.S)
        assert len(handlers) == text.count("'admin_post_"), path  # each one read
        for handler in handlers:
            assert "current_user_can(" in handler and "check_admin_referer(" in handler
        actions += len(handlers)
    assert actions == 2  # "Test connection" and "Regenerate audio"
    main = (PLUGIN / "listen.php").read_text("utf-8")
    for header in ("Plugin Name:", "Requires at least: 6.1", "Requires PHP:      8.1"):
        assert header in main
    assert "License:           GPL-2.0-or-later" in main
    readme = (PLUGIN / "readme.txt").read_text("utf-8")
    assert readme.startswith("=== Listen ===")
    for field in ("Requires at least: 6.1", "Requires PHP: 8.1", "License: GPLv2 or later"):
        assert field in readme
    for section in ("== Description ==", "== Installation ==", "== Changelog =="):
        assert section in readme
    assert "WP_UNINSTALL_PLUGIN" in (PLUGIN / "uninstall.php").read_text("utf-8")


# ---------------------------------------------------------------- push on publish


def test_publish_pushes_and_the_audio_builds(wp, service):
    # Published years ago (an archive post republished): the date must come from WordPress.
    dated = {**post("Harbour bridge reopens", *BRIDGE), "post_date_gmt": "2021-03-04 05:06:07"}
    post_id = wp.insert({**dated, "post_date": "2021-03-04 05:06:07"})[0]
    # The save only scheduled the push: listen has not heard of the post yet.
    assert meta(wp, post_id)["_listen_state"] == "queued"
    assert article(service, post_id)[0] == 404
    assert cron(wp) == [[pytest.approx(time.time(), abs=30), [post_id, 0]]]
    body = ready(service, post_id)
    assert body["title"] == "Harbour bridge reopens"
    assert body["language"] == "en"
    assert meta(wp, post_id)["_listen_state"] == "sent"
    _, transcript = get(f"{service}/api/articles/{post_id}/transcript")
    said = [p["text"] for p in json.loads(transcript)["paragraphs"]]
    assert said == list(BRIDGE)
    status, audio = get(f"{service}/api/articles/{post_id}/audio.mp3")
    assert status == 200 and len(decode_mp3(audio)) > 3000  # milliseconds of speech
    # The publication date went with the push: the podcast feed dates the episode by it.
    _, rest = get(f"{wp.url}/?rest_route=/wp/v2/posts/{post_id}")
    date_gmt = calendar.timegm(time.strptime(json.loads(rest)["date_gmt"], "%Y-%m-%dT%H:%M:%S"))
    _, feed = get(f"{service}/feed.xml")
    episode = next(e for e in feedparser.parse(feed).entries if e.id == str(post_id))
    assert calendar.timegm(episode.published_parsed) == date_gmt
    assert time.gmtime(date_gmt)[:3] == (2021, 3, 4)


def test_pushed_audio_is_the_audio_the_wordpress_source_reads(wp, service, cache_dir, tmp_path):
    """Article IDs are post IDs and the push says what the REST API says: a site that
    switches to LISTEN_SOURCE=wordpress+… finds every post's audio already built."""
    post_id = published(wp, service, post("Switching sources", *BRIDGE))[0]
    pushed = ready(service, post_id)
    settings = {
        "ENGINES": "espeak",
        "SOURCE": f"wordpress+{wp.url}",
        "CACHE_DIR": str(cache_dir),
        "DATA_DIR": str(tmp_path / "no-pushed-articles"),
    }
    pulled = create_app(settings).test_client().get(f"/api/articles/{post_id}")
    assert pulled.status_code == 200, pulled.json
    assert pulled.json["status"] == "ready"  # nothing to synthesize
    assert pulled.json["audio_url"].rsplit("/", 1)[1] == pushed["audio_url"].rsplit("/", 1)[1]


def test_the_post_page_has_one_player_and_one_script(wp, service):
    auto, shortcode, block = published(
        wp,
        service,
        post("Player inserted", "The player is inserted before this paragraph."),
        post("Player by shortcode", "A paragraph.", extra='\n\n[listen layout="compact"]'),
        post("Player by block", "Another paragraph.", extra="\n\n<!-- wp:listen/player /-->"),
    )
    for post_id in (auto, shortcode, block):
        html = page_of(wp, post_id)
        assert html.count("data-listen-article=") == 1, post_id
        assert html.count(f'data-listen-article="{post_id}"') == 1
        scripts = re.findall(r"<script[^>]*embed\.js[^>]*>", html)
        assert len(scripts) == 1 and " async" in scripts[0], scripts
        assert f"src='{service}/embed.js'" in scripts[0]
    assert 'data-listen-layout="compact"' in page_of(wp, shortcode)
    auto_html = page_of(wp, auto)
    assert auto_html.index("data-listen-article") < auto_html.index("The player is inserted")


def test_no_player_where_there_is_no_audio(wp, service):
    """A post not pushed (here: saved as a draft, then published with listen unreachable)
    shows no player and loads no embed.js while "hide when missing" is on."""
    configure(wp, url=closed_port_url().split("/_/")[0])
    try:
        post_id = wp.insert(post("Not pushed yet", "Nothing to hear yet."))[0]
        html = page_of(wp, post_id)
        assert "data-listen-article" not in html and "embed.js" not in html
        home = page_of(wp, 0)
        assert "embed.js" not in home  # the home page has no player
    finally:
        configure(wp, url=service)
        wp.tool({"trash": post_id})
        cron(wp, ahead=3600)


def test_chromium_plays_the_post(wp, service, browser):
    post_id = published(wp, service, post("Harbour bridge, heard", *BRIDGE))[0]
    page = browser.new_page(viewport={"width": 900, "height": 700})
    try:
        page.goto(f"{wp.url}/?p={post_id}")
        play = page.locator(f'[data-listen-article="{post_id}"] button.listen-play')
        play.wait_for(timeout=30_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "wordpress-post.png"))
        play.click()
        page.wait_for_function(
            f"""() => {{ const host = document.querySelector('[data-listen-article="{post_id}"]');
            const audio = host && host.shadowRoot && host.shadowRoot.querySelector('audio');
            return audio && audio.currentTime > 0.5; }}""",
            timeout=60_000,
        )
    finally:
        page.close()


def test_an_edit_of_one_paragraph_resynthesizes_one_paragraph(wp, service):
    post_id = published(wp, service, post("Water rates rise", *BRIDGE))[0]
    before = synthesized(service)
    wp.update(post_id, post_content=post("", *BRIDGE)["post_content"])  # saved unchanged
    cron(wp)
    ready(service, post_id)
    assert synthesized(service) == before
    edited = [BRIDGE[0], "Only this paragraph was corrected by the editor.", BRIDGE[2]]
    wp.update(post_id, post_content=post("", *edited)["post_content"])
    cron(wp)
    time.sleep(0.5)  # the PUT answers before the build; let it begin
    ready(service, post_id)
    assert synthesized(service) == before + 1
    _, transcript = get(f"{service}/api/articles/{post_id}/transcript")
    assert [p["text"] for p in json.loads(transcript)["paragraphs"]] == edited


def test_trash_deletes_the_audio(wp, service):
    post_id = published(wp, service, post("Soon trashed", "This post will be trashed."))[0]
    audio_url = ready(service, post_id)["audio_url"]
    assert get(audio_url)[0] == 200
    wp.tool({"trash": post_id})
    cron(wp)
    assert meta(wp, post_id)["_listen_state"] == "deleted"
    assert get(audio_url)[0] == 404
    # Forgotten, not only its audio: no reader's request can synthesize it again.
    assert article(service, post_id)[0] == 404
    assert get(f"{service}/api/articles/{post_id}/audio.mp3")[0] == 404


def test_listen_down_the_post_saves_and_the_push_is_retried(wp, service):
    configure(wp, url=closed_port_url().split("/_/")[0])
    try:
        started = time.monotonic()
        post_id = wp.insert(post("Pushed later", "Listen was down when this was saved."))[0]
        saved = time.monotonic() - started
        assert meta(wp, post_id) == {"_listen_state": "queued"}  # nothing was tried yet
        cron(wp)
        state = meta(wp, post_id)
        assert state["_listen_state"] == "retrying"
        assert "listen is unreachable" in state["_listen_error"]
        [[when, args]] = wp.tool({"scheduled": HOOK})["scheduled"]
        assert args == [post_id, 1] and when >= time.time() + 50  # backoff: a minute
        assert cron(wp) == []  # not due yet
    finally:
        configure(wp, url=service)
    assert cron(wp, ahead=61) == [[when, [post_id, 1]]]
    assert ready(service, post_id)["title"] == "Pushed later"
    assert meta(wp, post_id)["_listen_state"] == "sent"
    assert "_listen_error" not in meta(wp, post_id)
    assert saved < 30  # the save itself (a PHP process) never waited on listen


# ---------------------------------------------------------------- the settings page


def login(browser: Any, site: WordPress) -> Any:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(f"{site.url}/wp-login.php")
    page.fill("#user_login", "editor")
    page.fill("#user_pass", PASSWORD)
    page.click("#wp-submit")
    page.wait_for_url("**/wp-admin/**")
    return page


def test_settings_page(wp, service, browser):
    page = login(browser, wp)
    try:
        page.goto(f"{wp.url}/wp-admin/options-general.php?page=listen")
        assert page.input_value("#listen-url") == service
        assert TOKEN not in page.content()  # only its last four characters are shown
        assert page.get_attribute("#listen-token", "placeholder").endswith(TOKEN[-4:])
        page.click("#listen-test input[type=submit]")
        page.wait_for_selector("#listen-connection")
        said = page.inner_text("#listen-connection")
        assert "answered 200, ready (cache: ok, redis: ok, engines: ok)" in said
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "wordpress-settings.png"))

        page.select_option("#listen-theme", "dark")
        page.click("#listen-settings #submit")
        page.wait_for_selector("#setting-error-settings_updated")
        stored = wp.tool({"get": [OPTION]})["get"][OPTION]
        assert stored["theme"] == "dark" and stored["token"] == TOKEN  # empty field kept it

        # The same form without its nonce: WordPress refuses it and stores nothing.
        form = {"option_page": "listen", "action": "update", f"{OPTION}[theme]": "light"}
        answer = page.request.post(f"{wp.url}/wp-admin/options.php", form=form)
        assert answer.status == 403, answer.status
        assert wp.tool({"get": [OPTION]})["get"][OPTION]["theme"] == "dark"
        answer = page.request.post(
            f"{wp.url}/wp-admin/admin-post.php", form={"action": "listen_test_connection"}
        )
        assert answer.status == 403
    finally:
        page.context.close()
        configure(wp, theme="auto")


def test_editor_panel_shows_the_error_and_regenerates(wp, service, browser):
    configure(wp, url=closed_port_url().split("/_/")[0])
    try:
        post_id = wp.insert(post("Regenerated", "Listen was down for this one too."))[0]
        cron(wp)
    finally:
        configure(wp, url=service)
    page = login(browser, wp)
    try:
        page.goto(f"{wp.url}/wp-admin/post.php?post={post_id}&action=edit")
        panel = page.locator("#listen")
        panel.locator("a.button").wait_for(timeout=60_000)
        assert "retrying" in panel.inner_text()
        assert "listen is unreachable" in panel.locator(".listen-error").inner_text()
        regenerate = panel.locator("a.button").get_attribute("href")
        assert "_wpnonce=" in regenerate
        forged = page.request.get(re.sub(r"_wpnonce=\w+", "_wpnonce=0", regenerate))
        assert forged.status == 403
        assert meta(wp, post_id)["_listen_state"] == "retrying"
        assert page.request.get(regenerate).ok
        assert meta(wp, post_id)["_listen_state"] == "queued"
        # The regenerated push replaces the pending retry, and runs now.
        assert cron(wp, ahead=3600) == [[pytest.approx(time.time(), abs=30), [post_id, 0]]]
        assert ready(service, post_id)["title"] == "Regenerated"
    finally:
        page.context.close()


def test_uninstall_removes_the_options(wp):
    assert wp.tool({"get": [OPTION]})["get"][OPTION]
    wp.tool({"uninstall": "listen/listen.php"})
    assert wp.tool({"get": [OPTION]})["get"][OPTION] is False
    assert wp.tool({"scheduled": HOOK})["scheduled"] == []
