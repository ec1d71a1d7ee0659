"""A user's table as people really have them, written with the standard library only.

Semicolons, a byte-order mark, an id column, numbers with empty and "NA" cells, text
categories with gaps, and a target made from both: text classes for classifiers, numbers
for regressors. One size in five and one colour in ten are missing, so imputing and one-hot
encoding are really exercised; the target follows the features closely, so a model that uses them
reaches MESSY_BARS and one that ignores them (or ignores the categories) does not.
"""

from __future__ import annotations

import csv
from pathlib import Path

COLOUR_EFFECT = {"red": 30, "green": 0, "blue": -30}
# Quality on held-out rows: most of the signal survives the missing cells.
MESSY_BARS = {"classification": ("accuracy", 0.8), "regression": ("r2", 0.8)}


def messy_rows(rows: int, task: str) -> tuple[list[str], list[list[str]]]:
    header = ["id", "size", "colour", "region", "label"]
    body = []
    for i in range(rows):
        size = (i * 37) % 101
        colour = list(COLOUR_EFFECT)[(i * 7) % 3]
        score = size + COLOUR_EFFECT[colour]
        label = (
            ("big" if score > 50 else "small") if task == "classification" else f"{2.5 * score + (i % 5):.1f}"
        )
        cells = [f"c{i:04d}", str(size), colour, ["north", "south"][i % 2], label]
        if i % 10 == 3:
            cells[1] = ""  # empty number
        if i % 10 == 6:
            cells[1] = "NA"
        if i % 10 == 8:
            cells[2] = ""  # missing category
        body.append(cells)
    return header, body


def write_messy_csv(path: Path, task: str, rows: int = 300) -> Path:
    header, body = messy_rows(rows, task)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(body)
    return path
