"""Scoring a file: a row out per row in, input columns kept as written, nothing half-written."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from {{ cookiecutter.package_name }} import artifact, predict
from {{ cookiecutter.package_name }}.artifact import load_artifact
from {{ cookiecutter.package_name }}.columns import Columns
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.data import load_dataset, model_inputs
from {{ cookiecutter.package_name }}.errors import UserError
from {{ cookiecutter.package_name }}.features import transform
from {{ cookiecutter.package_name }}.predict import predict_file, score
from {{ cookiecutter.package_name }}.scores import PREDICTION_COLUMN
from {{ cookiecutter.package_name }}.targets import target_values
from {{ cookiecutter.package_name }}.task import compute_metrics, predict_rows
from {{ cookiecutter.package_name }}.train import train

from .conftest import (
    CLEARLY_BETTER,
    QUICK,
    baseline_score,
    customer_table,
    predict_file_to,
    read_rows,
    write_csv,
)
from .fixtures import once_per_session, skip_unless_the_model_scales
from .table_cases import METRIC, NUMBER_COLUMNS, PREDICTION_COLUMNS


@pytest.fixture(scope=once_per_session)
def small_training(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    rows: list[list[object]] = [[(i % 2) * 0.5, i % 2] for i in range(40)]
    data = write_csv(folder / "train.csv", ["x", "y"], rows)
    train(Settings(data=data, target="y", models_dir=folder / "m", overrides=QUICK))
    return folder / "m"


@pytest.fixture
def small_model(small_training: Path, tmp_path: Path) -> Path:
    """A model of one column `x`, of 0 and 0.5: scaling multiplies it by 4, so 1e308 overflows."""
    return Path(shutil.copytree(small_training, tmp_path / "m"))


def test_predictions_keep_input_columns_and_add_scores(
    trained: tuple[Settings, dict[str, Any]], bundled_csv: Path, tmp_path: Path
) -> None:
    settings, _ = trained
    output = tmp_path / "out" / "scored.csv"
    count = predict_file(bundled_csv, output, settings.models_dir)
    inputs, outputs = read_rows(bundled_csv), read_rows(output)
    assert count == len(inputs) == len(outputs)
    for given, scored in zip(inputs, outputs, strict=True):
        assert {key: scored[key] for key in given} == given
    # A prediction, and a probability per class the model knows (a regressor knows none).
    classes = load_artifact(settings.models_dir).classes
    added = [PREDICTION_COLUMN, *(f"probability_{label}" for label in classes)]
    assert list(outputs[0]) == [*inputs[0], *added]


def test_columns_are_matched_by_name_and_extras_kept(customers_model: Path, tmp_path: Path) -> None:
    """Shuffled columns, an extra column, a Parquet file: the same predictions as the CSV."""
    table = customer_table(200, seed=1)
    table.to_csv(tmp_path / "plain.csv", index=False)
    shuffled = table[["payment", "label", "monthly_charges", "customer_id", "contract", "tenure"]]
    shuffled.assign(note="x").to_parquet(tmp_path / "shuffled.parquet")
    predict_file(tmp_path / "plain.csv", tmp_path / "a.csv", customers_model)
    predict_file(tmp_path / "shuffled.parquet", tmp_path / "b.csv", customers_model)
    plain, moved = read_rows(tmp_path / "a.csv"), read_rows(tmp_path / "b.csv")
    assert list(moved[0])[:7] == [*shuffled.columns, "note"]
    assert [row["customer_id"] for row in moved] == list(table["customer_id"])
    assert [row[PREDICTION_COLUMN] for row in moved] == [row[PREDICTION_COLUMN] for row in plain]


def test_prediction_quality_on_new_customers(customers_model: Path, tmp_path: Path) -> None:
    """Fresh rows from the same process: the model must do clearly better than a model that
    ignores the features, fitted on the training table's labels."""
    customer_table(400, seed=2).to_csv(tmp_path / "new.csv", index=False)
    rows = read_rows(predict_file_to(tmp_path / "new.csv", customers_model))
    # The labels and the predictions, read as the task reads a table's target column.
    actual, predicted = (
        target_values(None, pd.Series([row[name] for row in rows]))
        for name in ("label", PREDICTION_COLUMN)
    )
    baseline = baseline_score(target_values(None, customer_table(600)["label"]), actual)
    assert compute_metrics(actual, predicted)[METRIC] > baseline + CLEARLY_BETTER


def test_unseen_categories_are_scored_and_counted_across_batches(
    customers_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    table = customer_table(50, seed=3)
    table.loc[[0, 1, 2, 3, 4, 25, 26, 27], "contract"] = "ten years"
    table.to_csv(tmp_path / "unseen.csv", index=False)
    monkeypatch.setattr(predict, "BATCH_CELLS", 1)
    monkeypatch.setattr(predict, "MIN_BATCH_ROWS", 10)  # the unseen rows are in batches 1 and 3
    rows = read_rows(predict_file_to(tmp_path / "unseen.csv", customers_model))
    assert len(rows) == 50 and all(row[PREDICTION_COLUMN] for row in rows)
    assert (
        "note: 8 row(s) have a 'contract' category not seen in training; scored as unknown"
        in caplog.messages
    )


def test_batches_give_the_same_output_as_one_pass(
    customers_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer_table(300, seed=4).to_csv(tmp_path / "in.csv", index=False)
    predict_file(tmp_path / "in.csv", tmp_path / "whole.csv", customers_model)
    monkeypatch.setattr(predict, "BATCH_CELLS", 1)  # batches of the minimum size
    monkeypatch.setattr(predict, "MIN_BATCH_ROWS", 7)
    predict_file(tmp_path / "in.csv", tmp_path / "batched.csv", customers_model)
    batched, whole = (
        pd.read_csv(tmp_path / f"{name}.csv", dtype=str) for name in ("batched", "whole")
    )
    numbers = NUMBER_COLUMNS  # the scores written as numbers
    pd.testing.assert_frame_equal(batched.drop(columns=numbers), whole.drop(columns=numbers))
    # The same up to float rounding: matrix products may group sums by batch size.
    pd.testing.assert_frame_equal(batched[numbers].astype(float), whole[numbers].astype(float))


def test_parquet_output_holds_the_same_rows(customers_model: Path, tmp_path: Path) -> None:
    customer_table(40, seed=5).to_csv(tmp_path / "in.csv", index=False)
    predict_file(tmp_path / "in.csv", tmp_path / "out.csv", customers_model)
    predict_file(tmp_path / "in.csv", tmp_path / "out.parquet", customers_model)
    from_csv = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    from_parquet = pd.read_parquet(tmp_path / "out.parquet")
    assert list(from_parquet[PREDICTION_COLUMN].astype(str)) == list(from_csv[PREDICTION_COLUMN])
    assert list(from_parquet["customer_id"]) == list(from_csv["customer_id"])


def test_score_works_on_a_table_in_memory(customers_model: Path, tmp_path: Path) -> None:
    table = customer_table(30, seed=6)
    table.to_csv(tmp_path / "in.csv", index=False)
    expected = [
        row[PREDICTION_COLUMN]
        for row in read_rows(predict_file_to(tmp_path / "in.csv", customers_model))
    ]
    scores = score(load_artifact(customers_model), table[table.columns[::-1]])
    assert list(scores[PREDICTION_COLUMN].astype(str)) == expected
    with pytest.raises(UserError, match=r"missing feature column.*: tenure"):
        score(load_artifact(customers_model), table.drop(columns=["tenure"]))
    nothing = score(load_artifact(customers_model), table.iloc[:0])
    assert nothing.empty and list(nothing.columns) == list(scores.columns)


def test_missing_feature_column_fails_and_writes_nothing(
    trained: tuple[Settings, dict[str, Any]], tmp_path: Path
) -> None:
    settings, _ = trained
    (tmp_path / "io").mkdir()
    source = write_csv(tmp_path / "io" / "in.csv", ["unrelated"], [[1.0], [2.0]])
    with pytest.raises(UserError, match=r"missing feature column"):
        predict_file(source, tmp_path / "io" / "out.csv", settings.models_dir)
    assert list((tmp_path / "io").iterdir()) == [source]


def test_a_failure_keeps_the_previous_output_whole(
    customers_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = customer_table(100, seed=7)
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    table.to_csv(source, index=False)
    predict_file(source, output, customers_model)
    before = output.read_bytes()
    table.loc[80, "tenure"] = "lots"
    table.to_csv(source, index=False)
    monkeypatch.setattr(predict, "BATCH_CELLS", 1)
    monkeypatch.setattr(predict, "MIN_BATCH_ROWS", 10)  # the bad row is in the 9th batch
    with pytest.raises(UserError, match=r"in.csv: line 82: column 'tenure' has 'lots'"):
        predict_file(source, output, customers_model)
    assert output.read_bytes() == before
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


def test_output_must_not_be_the_input_or_a_folder(
    trained: tuple[Settings, dict[str, Any]], bundled_csv: Path
) -> None:
    settings, _ = trained
    before = bundled_csv.read_bytes()
    for output in (bundled_csv, bundled_csv.parent / "." / bundled_csv.name):
        with pytest.raises(UserError, match=r"is the input file"):
            predict_file(bundled_csv, output, settings.models_dir)
    with pytest.raises(UserError, match=r"is a directory"):
        predict_file(bundled_csv, bundled_csv.parent, settings.models_dir)
    assert bundled_csv.read_bytes() == before


def test_predict_without_a_model_says_to_train_first(bundled_csv: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"run `train` first"):
        predict_file(bundled_csv, tmp_path / "out.csv", tmp_path / "no-models")


def test_an_input_that_already_has_a_prediction_column_is_refused(
    customers_model: Path, tmp_path: Path
) -> None:
    customer_table(20).assign(prediction=1).to_csv(tmp_path / "in.csv", index=False)
    with pytest.raises(UserError) as raised:
        predict_file(tmp_path / "in.csv", tmp_path / "out.csv", customers_model)
    assert (
        str(raised.value) == f"{tmp_path / 'in.csv'} already has column(s) prediction; rename them"
    )


def test_parquet_output_has_the_input_columns_and_the_scores_only(
    customers_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = customer_table(30, seed=13)
    table.to_csv(tmp_path / "in.csv", index=False)
    monkeypatch.setattr(predict, "MIN_BATCH_ROWS", 7)
    monkeypatch.setattr(predict, "BATCH_CELLS", 1)
    predict_file(tmp_path / "in.csv", tmp_path / "out.parquet", customers_model)
    scored = pq.ParquetFile(tmp_path / "out.parquet")  # the columns any reader sees, not pandas
    assert scored.schema_arrow.names == [*table.columns, *PREDICTION_COLUMNS]
    assert scored.metadata.num_rows == 30


def test_long_files_report_progress_batch_by_batch(
    customers_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customer_table(30, seed=14).to_csv(tmp_path / "in.csv", index=False)
    monkeypatch.setattr(predict, "MIN_BATCH_ROWS", 10)
    monkeypatch.setattr(predict, "BATCH_CELLS", 1)
    with caplog.at_level("INFO"):
        predict_file(tmp_path / "in.csv", tmp_path / "out.csv", customers_model)
    assert "Scored 20 rows ..." in caplog.text and "Scored 30 rows ..." in caplog.text


def test_a_value_too_large_to_scale_is_named_by_line(small_model: Path, tmp_path: Path) -> None:
    skip_unless_the_model_scales()
    source = write_csv(tmp_path / "in.csv", ["x"], [[0.5], [0.0], ["1e308"], [0.0]])
    with pytest.raises(
        UserError, match=r"in\.csv: line 4: column 'x' has 1e\+308, too large to scale"
    ):
        predict_file(source, tmp_path / "out.csv", small_model)


def test_one_row_is_scored_and_a_header_alone_is_refused(small_model: Path, tmp_path: Path) -> None:
    one = write_csv(tmp_path / "one.csv", ["x"], [[0.5]])
    assert predict_file(one, tmp_path / "out.csv", small_model) == 1
    write_csv(tmp_path / "header.csv", ["x"], [])
    pd.DataFrame({"x": pd.Series([], dtype=str)}).to_parquet(tmp_path / "header.parquet")
    for name in ("header.csv", "header.parquet"):
        with pytest.raises(UserError, match=rf"{re.escape(name)} has a header but no data rows$"):
            predict_file(tmp_path / name, tmp_path / "none.csv", small_model)
    assert not (tmp_path / "none.csv").exists()


def test_a_warning_while_a_batch_is_scored_stays_a_warning(
    small_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reader turns pandas' ParserWarning into an error, and its generator is suspended,
    # inside that filter, while each batch is scored: no other warning may become one.
    real = predict_rows

    def noisy(model: Any, features: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        warnings.warn("something to note", UserWarning, stacklevel=1)
        return real(model, features)

    monkeypatch.setattr(artifact, "predict_rows", noisy)
    source = write_csv(tmp_path / "in.csv", ["x"], [[0.5]])
    with pytest.warns(UserWarning, match="something to note"):
        predict_file(source, tmp_path / "out.csv", small_model)


def test_scoring_applies_the_fitted_preprocessing_bit_for_bit(
    customers_model: Path, trained: tuple[Settings, dict[str, Any]]
) -> None:
    """features.transform (NumPy) gives what scikit-learn's fitted transform gives, missing
    cells, unseen categories and numbers only included; from a data frame (a file's rows) and
    from Columns (a request's) alike."""
    bundled = load_dataset(Settings()).features.iloc[:50]
    customers = customer_table(200, seed=6)
    customers.loc[[1, 2], "contract"] = "ten years"
    for models, table in ((customers_model, customers), (trained[0].models_dir, bundled)):
        artifact = load_artifact(models)
        features = model_inputs(None, table, artifact.metadata["feature_types"])
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Found unknown categories", UserWarning)
            expected = artifact.preprocessing.transform(features)
        np.testing.assert_array_equal(transform(artifact.preprocessing, features, None), expected)
        arrays = {str(name): column.to_numpy() for name, column in features.items()}
        columns = Columns(arrays, len(features))
        np.testing.assert_array_equal(transform(artifact.preprocessing, columns, None), expected)
