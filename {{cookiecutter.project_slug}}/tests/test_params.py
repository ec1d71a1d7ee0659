"""Turning `--param` text into the type each parameter takes."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.params import convert, convert_params

DEFAULTS = {"flag": True, "rate": 1.0, "count": 10, "mode": "auto", "weight": None}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("flag", "true", True),
        ("flag", "Yes", True),
        ("flag", "ON", True),
        ("flag", "0", False),
        ("flag", "False", False),
        ("rate", "2", 2.0),
        ("rate", "0.25", 0.25),
        ("count", "3", 3),
        ("count", "2.5", 2.5),
        ("mode", "fast", "fast"),
        ("mode", "7", 7),
        ("weight", "None", None),
        ("weight", "none", None),
        ("weight", "null", None),
        ("weight", "balanced", "balanced"),
    ],
)
def test_text_becomes_the_type_of_the_default(name: str, text: str, expected: object) -> None:
    value = convert(name, text, DEFAULTS[name])
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("flag", "maybe", "--param flag=maybe: expected true or false"),
        ("rate", "inf", "--param rate=inf: expected a finite number"),
        ("count", "-nan", "--param count=-nan: expected a finite number"),
    ],
)
def test_values_of_the_wrong_kind_are_refused(name: str, text: str, message: str) -> None:
    with pytest.raises(UserError) as raised:
        convert(name, text, DEFAULTS[name])
    assert str(raised.value) == message


def test_unknown_names_are_listed_with_the_known_ones() -> None:
    with pytest.raises(UserError) as raised:
        convert_params({"rat": "1", "zzz": "2"}, DEFAULTS)
    assert str(raised.value) == (
        "unknown parameter(s): rat, zzz; the parameters are: count, flag, mode, rate, weight"
    )
    with pytest.raises(UserError, match="the parameters are: none"):
        convert_params({"x": "1"}, {})
    assert convert_params({"rate": "3", "flag": "no"}, DEFAULTS) == {"rate": 3.0, "flag": False}
