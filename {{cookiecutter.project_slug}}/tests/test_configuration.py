"""config.yaml with the command line's overrides: a class named on the command line is built
without the arguments config.yaml gives another class."""

from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.configuration import without_other_classes_arguments

WRITTEN = {"model": {"class_path": "a.B", "init_args": {"x": 1}}, "training": {"seed": 1}}
ANOTHER = {"model": {"class_path": "c.D"}, "training": {"seed": 1}}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (("--model", "c.D"), ANOTHER),
        (("--model=c.D",), ANOTHER),
        (("--model.class_path", "c.D", "--training.seed", "2"), ANOTHER),
        (("--model", "a.B"), WRITTEN),  # the same class keeps its arguments
        (("--model.init_args.x", "2"), WRITTEN),
        (("--model", '{"class_path": "c.D"}'), WRITTEN),  # jsonargparse's own: left to it
        ((), WRITTEN),
    ],
)
def test_another_class_on_the_command_line_leaves_the_config_files_arguments_out(
    overrides: tuple[str, ...], expected: dict[str, object]
) -> None:
    assert without_other_classes_arguments(WRITTEN, overrides) == expected


def test_a_config_that_is_not_a_table_is_left_to_the_checks() -> None:
    assert without_other_classes_arguments(["model"], ("--model", "c.D")) == ["model"]
