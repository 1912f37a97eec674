"""Every error class: one unique code in listen.errors.CODES, and a lossless record."""

from __future__ import annotations

import importlib
import json
import pkgutil

import pytest

import listen
from listen import errors
from listen.errors import CODES, ERRORS, EngineError, ListenError, OriginUnreachable, code_table
from listen.queue import jobs, rebuild_error

NOT_IMPORTED = {"listen.wsgi"}
"""Entry points that build an app and configure logging when imported (no classes)."""

SAMPLE_FIELDS = {bool: True, int: 7, str: "x"}
"""A value of each field type unlike the constructors' defaults, to see it survive."""


def subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | subclasses(sub)
    return found


def listen_error_classes() -> set[type]:
    """Every ListenError subclass the listen package defines (each module imported)."""

    def fail(name: str) -> None:
        raise ImportError(f"cannot import {name}")

    for module in pkgutil.walk_packages(listen.__path__, "listen.", onerror=fail):
        if module.name not in NOT_IMPORTED:
            importlib.import_module(module.name)
    return {cls for cls in subclasses(ListenError) if cls.__module__.startswith("listen.")}


def instance(cls: type[ListenError]) -> ListenError:
    """``cls`` with a message, a retry_after and each field unlike its default."""
    fields = {name: SAMPLE_FIELDS[kind] for name, kind in cls.FIELDS.items()}
    return cls(f"{cls.__name__} went wrong. Probable cause: a test", retry_after=13, **fields)


EVERY_CLASS = pytest.mark.parametrize(
    "cls", sorted(CODES.values(), key=lambda c: c.code), ids=lambda c: c.__name__
)


@EVERY_CLASS
def test_a_record_rebuilds_the_same_error(cls):
    """As a record crosses processes: JSON data, with the caller's own keys beside."""
    error = instance(cls)
    rebuilt = ListenError.from_dict(json.loads(json.dumps({**error.to_record(), "time": 1.0})))
    assert type(rebuilt) is cls
    assert (rebuilt.status, rebuilt.error, rebuilt.code) == (cls.status, cls.error, cls.code)
    assert rebuilt.message == str(rebuilt) == error.message
    assert rebuilt.retry_after == 13
    for name in cls.FIELDS:
        assert getattr(rebuilt, name) == getattr(error, name) != getattr(cls(""), name)
    assert rebuilt.to_dict() == error.to_dict()


@EVERY_CLASS
def test_the_json_body_is_the_public_code_and_message(cls):
    assert instance(cls).to_dict() == {
        "error": cls.error,
        "message": f"{cls.__name__} went wrong. Probable cause: a test",
    }


def test_a_rebuilt_engine_error_keeps_unreachable_and_retry_after():
    error = EngineError("gTTS failed: 429", unreachable=True, retry_after=42)
    rebuilt = ListenError.from_dict(error.to_record())
    assert isinstance(rebuilt, EngineError)
    assert rebuilt.unreachable and rebuilt.retry_after == 42


def test_a_workers_error_comes_back_as_its_class(monkeypatch):
    class Failing:
        def article(self, article_id: str) -> None:
            raise OriginUnreachable(f"could not fetch {article_id}", retry_after=30)

    monkeypatch.setattr(jobs, "service", Failing)
    rebuilt = rebuild_error(jobs.build_article("bridge"))
    assert type(rebuilt) is OriginUnreachable and rebuilt.error == "source_unavailable"
    assert rebuilt.message == "could not fetch bridge" and rebuilt.retry_after == 30


def test_a_refinement_keeps_its_parents_public_code_but_not_its_class():
    shared = [cls for cls in ERRORS if cls.error != cls.code]
    assert shared, "no class has a public code of another class"
    for cls in shared:
        parent = CODES[cls.error]
        assert parent is not cls and parent.status == cls.status
        assert type(ListenError.from_dict(instance(cls).to_record())) is cls
        assert type(ListenError.from_dict(instance(cls).to_dict())) is parent


@pytest.mark.parametrize(
    "data",
    [
        {"error": "no_such_code", "message": "gone"},
        {"code": "no_such_code", "message": "gone"},
        {"code": ["unhashable"], "error": {"a": 1}, "message": "gone"},
    ],
)
def test_an_unknown_code_is_a_plain_500_with_the_message(data):
    rebuilt = ListenError.from_dict(data)
    assert type(rebuilt) is ListenError
    assert (rebuilt.status, rebuilt.error, rebuilt.message) == (500, "internal_error", "gone")


def test_an_unknown_code_falls_back_on_the_public_code():
    rebuilt = ListenError.from_dict({"code": "newer_class", "error": "not_found", "message": "m"})
    assert type(rebuilt) is CODES["not_found"] and rebuilt.status == 404


@pytest.mark.parametrize(
    "extra",
    [{}, {"retry_after": "soon"}, {"retry_after": True}, {"unreachable": "yes"}],
    ids=["missing", "str", "bool", "field-str"],
)
def test_missing_or_mistyped_fields_take_the_class_default(extra):
    rebuilt = ListenError.from_dict({"code": "engine_failed", "message": "m", **extra})
    assert isinstance(rebuilt, EngineError)
    assert rebuilt.retry_after is None and rebuilt.unreachable is False


def test_a_class_default_retry_after_survives_a_record_without_one():
    rebuilt = ListenError.from_dict({"error": "build_abandoned", "message": ""})
    assert rebuilt.retry_after == 2 and "ask again" in rebuilt.message


def test_codes_are_unique_and_every_listed_class_is_in_the_table():
    assert len({cls.code for cls in ERRORS}) == len(ERRORS) == len(CODES)
    assert all(CODES[cls.code] is cls for cls in ERRORS)


def test_the_table_refuses_two_classes_with_one_code():
    class First(ListenError):
        code = "shared"

    class Second(ListenError):
        code = "shared"

    with pytest.raises(TypeError, match="share the code 'shared'"):
        code_table([First, Second])


def test_a_class_must_name_its_code():
    with pytest.raises(TypeError, match="neither `error` nor `code`"):

        class Nameless(ListenError):
            pass


def test_every_error_class_of_the_package_is_in_the_table():
    defined = listen_error_classes()
    assert ListenError in CODES.values() and defined <= set(CODES.values()), sorted(
        cls.__qualname__ for cls in defined - set(CODES.values())
    )
    assert all(cls.__module__ == "listen.errors" for cls in defined)


def drawn_tree() -> dict[str, list[str]]:
    """The module docstring's tree (its indented block): each class's name to what follows."""
    lines = (errors.__doc__ or "").splitlines()
    rows = [line.strip("│├└─ ").split() for line in lines if line.startswith("    ")]
    return {row[0]: row[1:] for row in rows}


def test_the_module_docstring_draws_every_class_with_its_status_and_codes():
    drawn = drawn_tree()
    for cls in ERRORS:
        other = f" (code {cls.code})" if cls.code != cls.error else ""
        assert drawn.get(cls.__name__) == f"{cls.status} {cls.error}{other}".split()
    assert set(drawn) == {cls.__name__ for cls in ERRORS}
