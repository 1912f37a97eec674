"""Settings: one typed, frozen object, loaded and checked the same way by every entry point."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from listen.cli import load_service, main
from listen.errors import ConfigError
from listen.settings import DEFAULTS, SETTINGS, TYPES, Settings, from_env, load
from listen.web.app import create_app

BAD = [
    ("LANGUAGE", "fr", "use one of 'en', 'es'"),
    ("UNSUPPORTED_AS", "de", "use one of '', 'en', 'es'"),
    ("SENDFILE_HEADER", "nginx", "use one of '', 'X-Accel-Redirect', 'X-Sendfile'"),
    ("SENDFILE_HEADER", "x-accel-redirect", "use one of"),
    ("LOG_FORMAT", "xml", "use one of 'text', 'json'"),
    ("ACCEL_PREFIX", "_listen_audio/", "must start and end with '/'"),
    ("ACCEL_PREFIX", "/_listen_audio", "must start and end with '/'"),
    ("BITRATE", "47k", "use one of 8k, 16k"),
    ("BITRATE", "320k", "use one of 8k, 16k"),
    ("BITRATE", "fast", "use one of 8k, 16k"),
    ("LOG_LEVEL", "loud", "use one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("DOWNLOAD", "maybe", "use true or false"),
    ("GTTS_TIMEOUT", "soon", "not a number"),
    ("GTTS_TIMEOUT", "0", "must be more than 0"),
    ("GTTS_TIMEOUT", "nan", "not a number"),
    ("GTTS_CONCURRENCY", "0", "must be at least 1"),
    ("GTTS_RATE", "-1", "must be at least 0"),
    ("GTTS_RETRIES", "-1", "must be at least 0"),
    ("GTTS_RETRIES", "two", "not a whole number"),
    ("ENGINE_COOLDOWN", "-0.5", "must be at least 0"),
    ("PAUSE_TITLE_MS", "-5", "must be at least 0"),
    ("PAUSE_PARAGRAPH_MS", "1.5", "not a whole number"),
    ("PAUSE_HEADING_MS", "-1", "must be at least 0"),
    ("PAUSE_ITEM_MS", "short", "not a whole number"),
    ("RATE", "fast", "use words a minute from 80 to 400"),
    ("PIPER_VOICES", "es:/no/such/voice.onnx", "cannot be read"),
    ("LEXICON", "/no/such/lexicon.json", "the lexicon file cannot be read"),
    ("RATE", "500", "use words a minute"),
    ("RATE", "3x", "or a factor from 0.5x to 2x"),
    ("RATE", "nanx", "use words a minute"),
    ("LOUDNESS_LUFS", "-5", "must be at most -10"),
    ("LOUDNESS_LUFS", "-60", "must be at least -40"),
    ("SYNTH_BUILDS", "0", "must be at least 1"),
    ("SYNTH_WORKERS", "0", "must be at least 1"),
    ("SYNTH_LOOKAHEAD", "0", "must be at least 1"),
    ("MAX_CHARS", "0", "must be at least 1"),
    ("AUDIO_MAX_AGE", "-1", "must be at least 0"),
    ("ERROR_TTL", "-1", "must be at least 0"),
    ("FETCH_TIMEOUT", "0", "must be more than 0"),
    ("FETCH_MAX_BYTES", "0", "must be at least 1"),
    ("FETCH_MAX_BYTES", "lots", "not a whole number"),
    ("FETCH_FRESH", "-1", "must be at least 0"),
    ("FEED_ITEMS", "0", "must be at least 1"),
    ("FEED_IMAGE", "podcast-art.png", "e.g. https://example.com/art.png"),
    ("FEED_IMAGE", "ftp://example.com/art.png", "give an absolute http(s) URL"),
    ("FEED_OWNER_EMAIL", "podcasts", "e.g. podcasts@example.com"),
    ("FEED_OWNER_EMAIL", "a@b c@d", "give one e-mail address"),
    ("ANALYTICS", "sometimes", "use true or false"),
    ("UPGRADE_FALLBACK", "later", "use true or false"),
    ("ANALYTICS_EVENTS_PER_MINUTE", "0", "must be at least 1"),
    ("LOCK_TTL", "0", "must be more than 0"),
    ("REDIS_TIMEOUT", "-1", "must be more than 0"),
    ("REDIS_COOLDOWN", "-1", "must be at least 0"),
    ("CACHE_MAX_BYTES", "-1", "must be at least 0"),
    ("PORT", "70000", "use 1 to 65535"),
    ("PORT", "http", "not a whole number"),
    ("WORKERS", "0", "use 1 to 64"),
    ("THREADS", "257", "use 1 to 256"),
    ("PUBLIC_URL", "https://listen.example.com/sub/", "no path"),
    ("PUBLIC_URL", "https://listen.example.com:99999", "the port is not a number"),
    ("PUBLIC_URL", "https://user@listen.example.com", "no user name or password"),
    ("PUBLIC_URL", "https://listen.example.com/?a=1", "no query or fragment"),
    ("ARTWORK_URL", "logo.png", "give an absolute http:// or https:// address"),
    ("ARTWORK_URL", "ftp://news.example.com/logo.png", "give an absolute http://"),
    ("TRUSTED_HOSTS", "listen.example.com, bad host", "'bad host' is not a host name"),
    ("TRUSTED_HOSTS", "listen.example.com:443", "without ports"),
]
"""A bad value of every checked setting, and the end of the message it gets."""


def clean_environment(monkeypatch: pytest.MonkeyPatch, **settings: str) -> None:
    """The process environment with these LISTEN_* settings and no others."""
    for name in list(os.environ):
        if name.startswith("LISTEN_"):
            monkeypatch.delenv(name)
    for name, value in settings.items():
        monkeypatch.setenv(f"LISTEN_{name}", value)


# ---------------------------------------------------------------- the table


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_has_a_type_help_and_a_default_it_accepts(setting):
    assert setting.type in TYPES
    assert setting.help.strip() and "\n" not in setting.help
    assert isinstance(setting.default, setting.type)
    assert setting.parse(setting.default) == setting.default
    assert isinstance(getattr(load(), setting.name), setting.type)


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.choices], ids=lambda s: s.env)
def test_fixed_choices_are_named_in_the_help(setting):
    assert setting.default in setting.choices
    for choice in setting.choices:
        assert choice == "" or choice in setting.help


def test_every_checked_setting_has_a_bad_value_tested():
    checked = {s.name for s in SETTINGS if s.rules or s.choices or s.type is not str}
    assert {name for name, _, _ in BAD} == checked


# ---------------------------------------------------------------- bad values


@pytest.mark.parametrize("name, value, why", BAD)
def test_a_bad_environment_value_is_one_line_naming_the_variable(name, value, why):
    with pytest.raises(ConfigError) as caught:
        load(environ={f"LISTEN_{name}": value})
    assert caught.value.message.startswith(f"LISTEN_{name}=")
    assert why in caught.value.message
    assert "\n" not in caught.value.message


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("GTTS_TIMEOUT", "soon", "LISTEN_GTTS_TIMEOUT='soon': not a number"),  # as given
        ("FETCH_TIMEOUT", "0", "LISTEN_FETCH_TIMEOUT=0.0: must be more than 0"),  # as understood
        ("LANGUAGE", "fr", "LISTEN_LANGUAGE='fr': use one of 'en', 'es'"),
        ("WORKERS", "0", "LISTEN_WORKERS=0 (listen serve --workers): use 1 to 64"),
    ],
)
def test_the_message_shows_the_value_and_the_flag_that_sets_it(name, value, message):
    with pytest.raises(ConfigError) as caught:
        load(environ={f"LISTEN_{name}": value})
    assert caught.value.message == message


def test_a_long_bad_value_is_cut_short():
    with pytest.raises(ConfigError) as caught:
        load(environ={"LISTEN_BITRATE": "9" * 500})
    message = caught.value.message
    assert message.startswith("LISTEN_BITRATE='999") and "…" in message and len(message) < 200


@pytest.mark.parametrize("name, value, why", BAD)
def test_a_bad_value_stops_the_app(config, name, value, why):
    with pytest.raises(ConfigError, match=f"^LISTEN_{name}=") as caught:
        create_app({**config, name: value})
    assert why in caught.value.message


def test_a_bad_environment_value_stops_the_app(config, monkeypatch):
    monkeypatch.setenv("LISTEN_BITRATE", "47k")
    with pytest.raises(ConfigError, match="^LISTEN_BITRATE='47k': use one of"):
        create_app(config)


@pytest.mark.parametrize("name, value, why", BAD)
@pytest.mark.parametrize("command", [["settings"], ["cache", "stats"]])
def test_a_bad_value_stops_every_command(runner, monkeypatch, command, name, value, why):
    monkeypatch.setenv(f"LISTEN_{name}", value)
    result = runner.invoke(main, command)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)  # reported, not raised
    assert result.output.splitlines() == [result.output.strip()]
    assert result.output.startswith(f"Error: LISTEN_{name}=") and why in result.output


def test_the_console_script_reports_a_bad_value_without_a_traceback(tmp_path):
    env = {**os.environ, "LISTEN_CACHE_DIR": str(tmp_path), "LISTEN_LOG_LEVEL": "loud"}
    listen = Path(sys.executable).with_name("listen")
    proc = subprocess.run(
        [str(listen), "settings"], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode != 0 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "Error: LISTEN_LOG_LEVEL='loud' (listen --log-level): use one of DEBUG, INFO, WARNING, "
        "ERROR, CRITICAL"
    ]


def test_the_log_level_flag_is_checked_like_the_setting(runner):
    result = runner.invoke(main, ["--log-level", "loud", "settings"])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: LISTEN_LOG_LEVEL='loud' (listen --log-level): ")
    assert result.output.count("\n") == 1
    result = runner.invoke(main, ["--log-level", "debug", "settings"])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- loading


@pytest.mark.parametrize(
    "name, raw, value",
    [
        ("GTTS_RATE", "5", 5.0),
        ("GTTS_TIMEOUT", " 2.5 ", 2.5),
        ("MAX_CHARS", "5e6", 5_000_000),
        ("MAX_CHARS", "200_000", 200_000),
        ("DOWNLOAD", "no", False),
        ("DOWNLOAD", "ON", True),
        ("DOWNLOAD", "0", False),
        ("DOWNLOAD", "", False),
        ("ADMIN_TOKEN", "1e5", "1e5"),  # text stays as written: not read as a number
        ("FEED_TITLE", '"quoted"', '"quoted"'),
        ("LOG_LEVEL", "debug", "debug"),
        ("BITRATE", "64", "64"),
        ("UNSUPPORTED_AS", "", ""),
    ],
)
def test_environment_strings_become_their_types(name, raw, value):
    loaded = load(environ={f"LISTEN_{name}": raw})[name]
    assert loaded == value and type(loaded) is type(value)


def test_values_beat_the_environment_which_beats_defaults():
    env = {"LISTEN_GTTS_RATE": "5", "LISTEN_QUEUE": "jobs", "HOME": "/root"}
    settings = load({"QUEUE": "other", "TESTING": True, "FEED_ITEMS": None}, environ=env)
    assert (settings.GTTS_RATE, settings.QUEUE, settings.FEED_ITEMS) == (5.0, "other", 100)
    assert settings.CACHE_DIR == DEFAULTS["CACHE_DIR"]
    assert "TESTING" not in settings and "HOME" not in settings
    assert load(environ=env).QUEUE == "jobs"
    assert load({"QUEUE": "other"}).GTTS_RATE == DEFAULTS["GTTS_RATE"]  # no environ: none read


def test_python_values_are_converted_and_checked():
    settings = load({"GTTS_TIMEOUT": 3, "MAX_CHARS": 1000.0, "DOWNLOAD": "false"})
    assert type(settings.GTTS_TIMEOUT) is float and type(settings.MAX_CHARS) is int
    assert settings.DOWNLOAD is False
    with pytest.raises(ConfigError, match="^LISTEN_FETCH_TIMEOUT=0.0: must be more than 0$"):
        load({"FETCH_TIMEOUT": 0})
    with pytest.raises(ConfigError, match="^LISTEN_MAX_CHARS=True: not a whole number$"):
        load({"MAX_CHARS": True})


def test_from_env_keeps_only_listen_variables_as_written():
    env = {"LISTEN_GTTS_RATE": "5", "LISTEN_DOWNLOAD": "false", "PATH": "/bin"}
    assert from_env(env) == {"GTTS_RATE": "5", "DOWNLOAD": "false"}


def test_settings_are_a_frozen_mapping():
    settings = load({"CACHE_DIR": "/srv/cache"})
    assert isinstance(settings, Mapping)
    assert settings["CACHE_DIR"] == settings.CACHE_DIR == "/srv/cache"
    assert list(settings) == [s.name for s in SETTINGS] and len(settings) == len(SETTINGS)
    assert dict(load()) == DEFAULTS
    assert settings.get("NOPE") is None and "NOPE" not in settings
    with pytest.raises(KeyError):
        settings["NOPE"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.CACHE_DIR = "/tmp"  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings["CACHE_DIR"] = "/tmp"  # type: ignore[index]


def test_loading_settings_again_gives_them_back():
    settings = load({"QUEUE": "jobs"}, environ={"LISTEN_GTTS_RATE": "5"})
    assert load(settings) is settings
    assert load(settings, environ={"LISTEN_QUEUE": "other"}) is settings
    assert load(dict(settings)) == settings


def test_the_admin_token_stays_out_of_the_repr():
    settings = load({"ADMIN_TOKEN": "s3cret-token"})
    assert settings.ADMIN_TOKEN == "s3cret-token"
    assert "s3cret-token" not in repr(settings) and "CACHE_DIR=" in repr(settings)


def test_engines_take_their_defaults_from_the_settings():
    from listen.engines.espeak import EspeakEngine
    from listen.engines.gtts import GTTSEngine
    from listen.sources.fetch import Fetcher

    gtts = GTTSEngine({"GTTS_TLD_ES": "es"})
    assert (gtts.timeout, gtts.concurrency, gtts.retries) == (5.0, 8, 3)
    assert gtts.budget.rate == DEFAULTS["GTTS_RATE"]
    assert gtts.tlds == {"en": "com", "es": "es"}
    assert EspeakEngine({}).voices == {"en": "en-us", "es": "es-419"}
    fetcher = Fetcher.from_config({"FETCH_FRESH": "0"})
    assert (fetcher.timeout, fetcher.max_bytes, fetcher.fresh) == (10.0, 5_000_000, 0.0)
    with pytest.raises(ConfigError, match="^LISTEN_GTTS_CONCURRENCY=0: must be at least 1$"):
        GTTSEngine({"GTTS_CONCURRENCY": 0})


# ---------------------------------------------------------------- every entry point alike


def test_app_cli_and_worker_load_the_same_settings(monkeypatch, tmp_path, articles):
    from listen.queue import jobs

    clean_environment(
        monkeypatch,
        CACHE_DIR=str(tmp_path / "cache"),
        SOURCE=str(articles),
        ENGINES="fake",
        GTTS_RATE="5",
        DOWNLOAD="no",
        BITRATE="64k",
        LOG_FORMAT="json",
    )
    monkeypatch.setattr(jobs, "_service", None)
    worker = jobs.service().config
    assert isinstance(worker, Settings)
    assert worker == load_service().config == create_app().extensions["listen"].config
    assert (worker.GTTS_RATE, worker.DOWNLOAD, worker.BITRATE) == (5.0, False, "64k")
    assert worker == load(environ=os.environ)
