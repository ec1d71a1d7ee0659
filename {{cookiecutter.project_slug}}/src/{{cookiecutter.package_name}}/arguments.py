"""Command-line values checked as they are parsed: each type turns text into a value, or
refuses it with what is expected (argparse prints it as a usage error)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

MAX_SEED = 2**32 - 1  # the largest seed NumPy and scikit-learn accept


def parse_param(text: str) -> tuple[str, str]:
    """`C=0.5` -> ("C", "0.5"); the model turns the text into the parameter's type."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), raw.strip()


def seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 0 to {MAX_SEED}, got {text!r}"
        )
    return value


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def whole_number(minimum: int) -> Callable[[str], int]:
    """The type of a flag that takes a whole number of at least `minimum`."""

    def at_least(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"expected a whole number of at least {minimum}, got {text!r}"
            )
        return value

    return at_least
