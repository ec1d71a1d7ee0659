"""Command-line values checked as they are parsed: each type turns text into a value, or
refuses it with what is expected (argparse prints it as a usage error)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


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
