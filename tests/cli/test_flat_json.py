"""``todo --json``'s JSON, put together value by value, is ``json.dumps(..., indent=2,
ensure_ascii=False)``'s text byte for byte, for any strings, numbers, booleans and nulls;
and no encoder is made per value (67,000 items at 10,000 entries: a second of json.dumps)."""

from __future__ import annotations

import enum
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mistakes.cli import links
from mistakes.cli.links import flat_objects_json

SCALARS = st.one_of(
    st.text(),  # control characters, quotes, backslashes, lone surrogates, any plane
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.none(),
)
OBJECTS = st.lists(st.dictionaries(st.text(max_size=8), SCALARS, max_size=6), max_size=6)


@settings(max_examples=300, deadline=None)
@given(OBJECTS)
def test_the_same_text_as_json(objects: list[dict[str, Any]]) -> None:
    assert flat_objects_json(objects) == json.dumps(objects, ensure_ascii=False, indent=2) + "\n"


class Level(enum.IntEnum):
    LOW = 1


def test_odd_values_and_other_values_fall_back_to_json() -> None:
    for objects in (
        [{"n": Level.LOW, "t": "a\u2028b\x7f\ud800"}],
        [{"x": 1.5}],  # not a value it writes itself: json writes all of it
        [{"x": [1, 2]}, {}],
        [{1: "int key"}],
    ):
        expected = json.dumps(objects, ensure_ascii=False, indent=2) + "\n"
        assert flat_objects_json(objects) == expected


def test_no_encoder_per_value(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    dumps = json.dumps

    def counting(obj: object, **kwargs: Any) -> str:
        calls.append(obj)
        return dumps(obj, **kwargs)

    monkeypatch.setattr(links.json, "dumps", counting)
    objects = [{"number": n, "text": f"item {n}", "done": n % 2 == 0} for n in range(50)]
    text = flat_objects_json(objects)
    monkeypatch.setattr(links.json, "dumps", dumps)
    assert text == dumps(objects, ensure_ascii=False, indent=2) + "\n"
    assert calls == []
