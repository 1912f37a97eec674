"""CLI through click's CliRunner (plus one real subprocess for the console script)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mutagen.id3 import ID3

from listen.cli import main
from listen.sources import SAMPLES

from conftest import decode_mp3, write_article


def test_clean_json_one_line_per_input_in_order(runner):
    paths = [
        str(SAMPLES / "festival-de-cine.html"),
        str(SAMPLES / "city-council-budget.txt"),
        str(SAMPLES / "mercado-central.json"),
    ]
    result = runner.invoke(main, ["clean", "--json", *paths])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [x["language"] for x in lines] == ["es", "en", "es"]
    assert lines[1]["title"] == "City council approves leaner budget after marathon session"
    for obj in lines:
        assert set(obj) == {"title", "language", "paragraphs"}
        assert all(set(p) == {"text", "spoken", "language"} for p in obj["paragraphs"])
        spoken = " ".join(p["text"] for p in obj["paragraphs"])
        for cruft in (
            "Foto: EFE",
            "Via REUTERS",
            "Listen to this article",
            "Leer en español",
            "Read in English",
            "More Articles",
            "Más artículos",
        ):
            assert cruft not in spoken


def test_clean_plain_and_stdin(runner):
    result = runner.invoke(
        main,
        ["clean", "-"],
        input="Title here\nListen to this article\nA body paragraph that is spoken.\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "[en] Title here ¶ A body paragraph that is spoken.\n"
    html = "<html lang='es'><h1>Titular</h1><p>Un párrafo.</p></html>"
    result = runner.invoke(main, ["clean", "--json", "-"], input=html)
    assert json.loads(result.output) == {
        "title": "Titular",
        "language": "es",
        "paragraphs": [{"text": "Un párrafo.", "spoken": "Un párrafo.", "language": "es"}],
    }


def test_clean_bad_inputs_keep_order_and_fail(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    good = SAMPLES / "city-council-budget.txt"
    result = runner.invoke(
        main, ["clean", "--json", str(bad), str(tmp_path / "missing.txt"), str(good)]
    )
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [x.get("error") for x in lines] == ["unreadable_article", "bad_input", None]
    assert "no such file" in lines[1]["message"]
    assert lines[2]["language"] == "en"


def test_speak_writes_a_tagged_mp3(runner, tmp_path):
    out = tmp_path / "out.mp3"
    result = runner.invoke(
        main, ["speak", str(SAMPLES / "mercado-central.json"), "-o", str(out), "--engine", "fake"]
    )
    assert result.exit_code == 0, result.output
    audio = decode_mp3(out.read_bytes())
    assert 80 < len(audio) / 1000 < 200
    assert str(ID3(out)["TLAN"]) == "spa"


def test_speak_language_override_and_bad_engine(runner, tmp_path):
    out = tmp_path / "x.mp3"
    text = tmp_path / "t.txt"
    text.write_text("Title\nA short body that is spoken.\n")
    ok = runner.invoke(main, ["speak", str(text), "-o", str(out), "--language", "es"])
    assert ok.exit_code == 0, ok.output
    assert str(ID3(out)["TLAN"]) == "spa"
    bad = runner.invoke(main, ["speak", str(text), "-o", str(out), "--engine", "nope"])
    assert bad.exit_code != 0 and "unknown engine 'nope'" in bad.output
    assert "Traceback" not in bad.output


def test_prewarm_then_cached_then_failure(runner, articles):
    result = runner.invoke(main, ["prewarm", "city-council-budget", "sequia-en-el-valle", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.splitlines()[-1])
    assert (summary["synthesized"], summary["cached"], summary["failed"]) == (2, 0, 0)
    again = runner.invoke(main, ["prewarm", "city-council-budget", "nope", ".bad"])
    assert again.exit_code == 1
    assert "synthesized 0, already cached 1, failed 2" in again.output
    assert "no article 'nope'" in again.output and "invalid article id" in again.output


def test_prewarm_all_and_cache_stats_and_purge(runner, articles):
    for path in articles.iterdir():
        if path.stem not in ("city-council-budget", "mercado-central"):
            path.unlink()
    result = runner.invoke(main, ["prewarm", "--all", "--concurrency", "2"])
    assert result.exit_code == 0, result.output
    stats = json.loads(runner.invoke(main, ["cache", "stats", "--json"]).output)
    assert stats["entries"] == 2 and stats["bytes"] > 100_000
    purged = runner.invoke(main, ["cache", "purge", "mercado-central"])
    assert purged.exit_code == 0 and "removed 1" in purged.output
    assert json.loads(runner.invoke(main, ["cache", "stats", "--json"]).output)["entries"] == 1
    assert runner.invoke(main, ["cache", "purge", "--yes"]).exit_code == 0
    assert json.loads(runner.invoke(main, ["cache", "stats", "--json"]).output)["entries"] == 0


def test_prewarm_without_ids_is_a_usage_error(runner):
    result = runner.invoke(main, ["prewarm"])
    assert result.exit_code == 2 and "--all" in result.output


def test_bad_setting_is_a_clear_error(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("LISTEN_SOURCE", str(tmp_path / "nowhere"))
    result = runner.invoke(main, ["clean", str(SAMPLES / "city-council-budget.txt")])
    assert result.exit_code != 0 and "does not exist" in result.output
    monkeypatch.setenv("LISTEN_SOURCE", "")
    monkeypatch.setenv("LISTEN_GTTS_TIMEOUT", "soon")
    result = runner.invoke(main, ["cache", "stats"])
    assert result.exit_code != 0 and "LISTEN_GTTS_TIMEOUT" in result.output


def test_settings_lists_every_setting(runner):
    from listen.settings import SETTINGS

    output = runner.invoke(main, ["settings"]).output
    assert all(s.env in output for s in SETTINGS)


def test_console_script_runs(tmp_path, articles):
    write_article(articles, "short", title="Short", text="A short body.")
    listen = Path(sys.executable).with_name("listen")
    proc = subprocess.run(
        [str(listen), "clean", "--json", str(articles / "short.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["title"] == "Short"


def test_speak_uses_the_paragraph_cache_unless_told_not_to(runner, tmp_path, config):
    article = tmp_path / "a.txt"
    article.write_text("A title\nThe first paragraph.\nThe second paragraph.\n")
    out = tmp_path / "a.mp3"
    assert runner.invoke(main, ["speak", str(article), "-o", str(out)]).exit_code == 0
    segments = Path(config["CACHE_DIR"]) / "segments"
    cached = sorted(segments.glob("??/*.mp3"))
    assert len(cached) == 3
    stamps = [p.stat().st_mtime_ns for p in cached]
    article.write_text("A title\nThe first paragraph.\nThe second paragraph, corrected.\n")
    assert runner.invoke(main, ["speak", str(article), "-o", str(out)]).exit_code == 0
    assert len(list(segments.glob("??/*.mp3"))) == 4  # only the corrected one was added
    assert [p.stat().st_mtime_ns for p in cached] == stamps
    fresh = tmp_path / "fresh.mp3"
    result = runner.invoke(main, ["speak", str(article), "-o", str(fresh), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert len(list(segments.glob("??/*.mp3"))) == 4  # the cache was left alone
    assert fresh.read_bytes() == out.read_bytes()  # same text, same engine: same audio


def test_cli_and_app_read_the_environment_alike(monkeypatch, tmp_path):
    from listen import create_app
    from listen.cli import load_service

    env = {
        "LISTEN_GTTS_TIMEOUT": "2.5",
        "LISTEN_ENGINES": "espeak",
        "LISTEN_PAUSE_TITLE_MS": "900",
        "LISTEN_CACHE_DIR": str(tmp_path),
        "LISTEN_USER_AGENT": "bot/1 (+x)",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert load_service().config == create_app().extensions["listen"].config
