"""Hyper-parameters from `--param NAME=VALUE`: text turned into the type each one takes.

The names and their types come from the model itself (its defaults), not from a list kept
here, so every parameter the framework offers can be set and a typo is named at once.
"""

from __future__ import annotations

import math
from typing import Any

from .errors import UserError

Param = bool | int | float | str | None
TRUE, FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}


def convert_params(given: dict[str, str], defaults: dict[str, Any]) -> dict[str, Param]:
    """Each given value as the type of its default; refuses unknown names and non-finite numbers."""
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise UserError(
            f"unknown parameter(s): {', '.join(unknown)}; "
            f"the parameters are: {', '.join(sorted(defaults)) or 'none'}"
        )
    return {name: convert(name, text, defaults[name]) for name, text in given.items()}


def convert(name: str, text: str, default: object) -> Param:
    if isinstance(default, bool):
        if text.lower() not in TRUE | FALSE:
            raise UserError(f"--param {name}={text}: expected true or false")
        return text.lower() in TRUE
    if text in {"None", "none", "null"}:
        return None
    for kind in (int, float):
        try:
            number = kind(text)
        except ValueError:
            continue
        if isinstance(number, float) and not math.isfinite(number):
            raise UserError(f"--param {name}={text}: expected a finite number")
        return float(number) if isinstance(default, float) else number
    return text
