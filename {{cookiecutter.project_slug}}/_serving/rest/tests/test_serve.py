"""The REST service in-process (FastAPI's test client): every route, the metadata against the
saved model, the three ways of scoring agreeing, the Open Inference Protocol as its standard
client writes and reads it, and bad requests answered with a 4xx while the service goes on.

What the rows are differs by kind of inputs: serve_cases.py gives the model, the rows and the
bad requests of this project's kind.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import tritonclient.http as triton
from fastapi.concurrency import run_in_threadpool
from fastapi.testclient import TestClient

from {{ cookiecutter.package_name }} import __version__, payloads, serve_command, server
from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import FRAMEWORK
from {{ cookiecutter.package_name }}.model import VERSION
from {{ cookiecutter.package_name }}.onnx_engine import OnnxEngine
from {{ cookiecutter.package_name }}.predict import predict_file
from {{ cookiecutter.package_name }}.protocol import HEADER_LENGTH
from {{ cookiecutter.package_name }}.served_model import MODEL_NAME, load_served_model
from {{ cookiecutter.package_name }}.server import Limits, create_app

from .agreeing import Agreeing
from .fixtures import one_error_line
from .serve_cases import BAD_INSTANCES, agreeing_requests, expected_inputs
from .serve_cases import served_models as served_models  # the fixture

INFER = f"/v2/models/{MODEL_NAME}/infer"


def client_of(models_dir: Path, limits: Limits | None = None) -> TestClient:
    return TestClient(
        create_app(load_served_model(models_dir), limits), raise_server_exceptions=False
    )


@pytest.fixture
def client(served_models: Path) -> TestClient:
    return client_of(served_models)


def version_of(models_dir: Path) -> str:
    return hashlib.sha256((models_dir / "model.json").read_bytes()).hexdigest()[:12]


def test_health_routes_say_the_service_is_up(client: TestClient, served_models: Path) -> None:
    version = version_of(served_models)
    assert client.get("/health").json() == {"status": "ok", "model": MODEL_NAME, "version": version}
    assert client.get("/v2/health/live").json() == {"live": True}
    assert client.get("/v2/health/ready").json() == {"ready": True}
    server = client.get("/v2").json()
    assert server["name"] == MODEL_NAME and "binary_tensor_data" in server["extensions"]
    for path in (
        f"/v2/models/{MODEL_NAME}/ready",
        f"/v2/models/{MODEL_NAME}/versions/{version}/ready",
    ):
        assert client.get(path).json() == {"name": MODEL_NAME, "ready": True}


def test_the_metadata_is_the_saved_model_s(client: TestClient, served_models: Path) -> None:
    saved = json.loads((served_models / "model.json").read_text())
    version = version_of(served_models)
    metadata = client.get(f"/v2/models/{MODEL_NAME}").json()
    assert client.get(f"/v2/models/{MODEL_NAME}/versions/{version}").json() == metadata
    assert (metadata["name"], metadata["versions"]) == (MODEL_NAME, [version])
    assert metadata["inputs"] == expected_inputs(saved)
    classes = saved["classes"]
    outputs = {(o["name"], o["datatype"], tuple(o["shape"])) for o in metadata["outputs"]}
    assert outputs == (
        {("label", "BYTES", (-1,)), ("probabilities", "FP64", (-1, len(classes)))}
        if classes
        else {("value", "FP64", (-1,))}
    )
    described = ["framework", "model", "task", "dataset", "classes", "image_shape"]
    described += ["pixel_range", "target_name"]
    assert metadata["parameters"] == {
        **{key: saved[key] for key in described if key in saved},
        "engine": OnnxEngine.name,
    }
    assert {"framework", "model", "task", "classes", "target_name"} <= set(saved)
    assert metadata["platform"] == "onnxruntime_onnx"


def test_the_metadata_names_the_framework_when_it_serves(served_models: Path) -> None:
    client = TestClient(create_app(load_served_model(served_models, "framework")))
    metadata = client.get(f"/v2/models/{MODEL_NAME}").json()
    assert (metadata["platform"], metadata["parameters"]["engine"]) == (FRAMEWORK, VERSION)


def test_unknown_models_and_versions_are_404(client: TestClient) -> None:
    for path in (
        "/v2/models/other",
        f"/v2/models/{MODEL_NAME}/versions/0/ready",
        "/v2/models/other/infer",
    ):
        answer = client.post(path, json={}) if path.endswith("infer") else client.get(path)
        assert answer.status_code == 404 and "error" in answer.json(), path
    version = client.get("/health").json()["version"]
    assert client.get("/v2/models/other").json()["error"] == (
        f"no model 'other': this service serves {MODEL_NAME!r}"
    )
    assert client.get(f"/v2/models/{MODEL_NAME}/versions/0/ready").json()["error"] == (
        f"model {MODEL_NAME!r} has no version '0'; it serves version {version!r}"
    )
    assert client.get("/nowhere").json() == {"error": "no route /nowhere: see /docs"}
    assert client.get("/predict").status_code == 405
    assert set(client.get("/predict").json()) == {"error"}


def file_scores(case: Agreeing, models_dir: Path, folder: Path) -> pd.DataFrame:
    output = folder / "scored.csv"
    predict_file(case.file, output, models_dir)
    return pd.read_csv(output, dtype={"prediction": str}, keep_default_na=False)


def same_values(first: list[Any], second: list[Any]) -> None:
    if all(isinstance(value, str) for value in [*first, *second]):
        assert first == second
    else:
        np.testing.assert_allclose(np.asarray(first, float), np.asarray(second, float), rtol=1e-6)


def test_predict_infer_and_the_batch_file_agree(
    client: TestClient, served_models: Path, tmp_path: Path
) -> None:
    classes = json.loads((served_models / "model.json").read_text())["classes"]
    for case in agreeing_requests(tmp_path):
        from_file = file_scores(case, served_models, tmp_path)
        predicted = client.post("/predict", json={"instances": case.instances}).json()
        same_values(predicted["predictions"], from_file["prediction"].tolist())
        assert ("probabilities" in predicted) == bool(classes)  # each class's, for a classifier
        if classes:
            assert all(list(row) == classes for row in predicted["probabilities"])
            top = [max(row.values()) for row in predicted["probabilities"]]
            best = from_file.filter(like="probability").max(axis=1).tolist()
            np.testing.assert_allclose(top, best, atol=1e-6)
        if case.tensors is None:
            continue
        inferred = client.post(
            INFER, json={"inputs": [tensor_json(*t) for t in case.tensors]}
        ).json()
        first = inferred["outputs"][0]
        same_values(first["data"], predicted["predictions"])


def test_small_requests_are_answered_on_the_loop_large_ones_in_a_thread(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread trip costs more than a few rows' work; the answers are the same either way."""
    trips = []

    async def counted(answer: Any) -> Any:
        trips.append(answer)
        return await run_in_threadpool(answer)

    monkeypatch.setattr(server, "run_in_threadpool", counted)  # how `answered` reaches a thread
    one = agreeing_requests(tmp_path)[0].instances[:1]
    small = client.post("/predict", json={"instances": one}).json()
    assert trips == []
    copies = server.INLINE_BODY // len(json.dumps(one)) + 1
    body = json.dumps({"instances": one * copies})
    assert len(body) > server.INLINE_BODY
    large = client.post("/predict", content=body).json()
    assert len(trips) == 1
    assert large == {name: answer * copies for name, answer in small.items()}


def tensor_json(name: str, datatype: str, data: np.ndarray) -> dict[str, Any]:
    values = data.reshape(-1).tolist()
    if datatype == "BYTES":
        values = [None if value is None else value.decode() for value in values]
    else:
        values = [None if value != value else value for value in values]  # NaN: null
    return {"name": name, "datatype": datatype, "shape": list(data.shape), "data": values}


def triton_inputs(
    tensors: list[tuple[str, str, np.ndarray]], binary: bool
) -> list[triton.InferInput]:
    inputs = []
    for name, datatype, data in tensors:
        tensor = triton.InferInput(name, list(data.shape), datatype)
        sent = (
            np.array([b"" if v is None else v for v in data.reshape(-1)], dtype=object).reshape(
                data.shape
            )
            if datatype == "BYTES"
            else data
        )
        tensor.set_data_from_numpy(sent, binary_data=binary)
        inputs.append(tensor)
    return inputs


def infer_with_triton(
    client: TestClient,
    inputs: list[triton.InferInput],
    outputs: list[triton.InferRequestedOutput] | None = None,
    request_id: str = "",
) -> triton.InferResult:
    body, json_size = triton.InferenceServerClient.generate_request_body(
        inputs, outputs, request_id=request_id
    )
    headers = {} if json_size is None else {HEADER_LENGTH: str(json_size)}
    answer = client.post(INFER, content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    length = answer.headers.get(HEADER_LENGTH)
    return triton.InferenceServerClient.parse_response_body(
        answer.content, header_length=None if length is None else int(length)
    )


def test_the_standard_v2_client_works_with_its_defaults_and_with_json(
    client: TestClient, tmp_path: Path
) -> None:
    """tritonclient sends and asks for binary tensor data unless told otherwise."""
    case = next(case for case in agreeing_requests(tmp_path) if case.tensors is not None)
    assert case.tensors is not None
    expected = client.post("/predict", json={"instances": case.instances}).json()
    metadata = client.get(f"/v2/models/{MODEL_NAME}").json()
    as_json = [
        triton.InferRequestedOutput(o["name"], binary_data=False) for o in metadata["outputs"]
    ]
    for binary in (True, False):
        outputs = None if binary else as_json  # None: every output, in binary
        result = infer_with_triton(client, triton_inputs(case.tensors, binary), outputs)
        assert all(("parameters" in o) is binary for o in result.get_response()["outputs"])
        names = [output["name"] for output in result.get_response()["outputs"]]
        first = result.as_numpy(names[0])
        assert first is not None
        values = [v.decode() if isinstance(v, bytes) else v for v in first.tolist()]
        same_values(values, expected["predictions"])
        if "probabilities" in expected:
            probabilities = result.as_numpy("probabilities")
            assert probabilities is not None
            rows = [list(row.values()) for row in expected["probabilities"]]
            np.testing.assert_allclose(probabilities, rows, atol=1e-12)


def test_the_request_id_is_echoed_and_the_outputs_filter_holds(
    client: TestClient, tmp_path: Path
) -> None:
    case = next(case for case in agreeing_requests(tmp_path) if case.tensors is not None)
    assert case.tensors is not None
    metadata = client.get(f"/v2/models/{MODEL_NAME}").json()
    first = metadata["outputs"][0]["name"]
    body = {
        "id": "request-7",
        "parameters": {"note": "accepted"},
        "inputs": [tensor_json(*t) for t in case.tensors],
        "outputs": [{"name": first}],
    }
    answer = client.post(INFER, json=body).json()
    assert answer["id"] == "request-7"
    assert [output["name"] for output in answer["outputs"]] == [first]
    assert (answer["model_name"], answer["model_version"]) == (MODEL_NAME, metadata["versions"][0])
    unknown = client.post(INFER, json={**body, "outputs": [{"name": "nope"}]})
    assert unknown.status_code == 400 and "no output nope" in unknown.json()["error"]
    binary = infer_with_triton(
        client,
        triton_inputs(case.tensors, True),
        [triton.InferRequestedOutput(first, binary_data=True)],
        request_id="r8",
    )
    assert binary.get_response()["id"] == "r8"
    (output,) = binary.get_response()["outputs"]
    assert output["name"] == first and output["parameters"]["binary_data_size"] > 0
    asked = {"binary_data": True}  # per output, in a JSON request too
    mixed = client.post(INFER, json={**body, "outputs": [{"name": first, "parameters": asked}]})
    assert int(mixed.headers[HEADER_LENGTH]) < len(mixed.content)


ONE_INPUT = b'{"name": "x", "shape": [1], "datatype": "FP64", "data": [1]}'
# Bad requests whatever the model reads, what the answer's status is and what it says.
BAD_BODIES = [
    ("/predict", b"{not json", 400, "the request body is not valid JSON: "),
    ("/predict", b"[1, 2]", 400, "must be a JSON object"),
    (
        "/predict",
        b'{"rows": []}',
        400,
        'the request body must be {"instances": [...]}, a list of rows or images',
    ),
    ("/predict", b'{"instances": []}', 400, "the batch is empty: send at least one row"),
    ("/predict", b'{"instances": [NaN]}', 400, "NaN is not a JSON number"),
    (
        "/predict",
        b'{"instances": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        400,
        "nested too deeply",
    ),
    (INFER, b"{}", 400, '"inputs"'),
    (INFER, b'{"inputs": [], "extra": 1}', 400, "unknown field(s) extra"),
    (
        INFER,
        b'{"inputs": [{"name": "x", "shape": [-1], "datatype": "FP64", "data": [1]}]}',
        400,
        "whole numbers >= 0",
    ),
    (
        INFER,
        b'{"inputs": [{"name": "x", "shape": [2], "datatype": "FP99", "data": [1, 2]}]}',
        400,
        "datatype 'FP99'",
    ),
    (
        INFER,
        b'{"inputs": [{"name": "x", "shape": [3], "datatype": "FP64", "data": [1, 2]}]}',
        400,
        "2 values for a shape of 3",
    ),
    (
        INFER,
        b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": ["a"]}]}',
        400,
        "'a' is not of datatype FP64",
    ),
    (INFER, b'{"inputs": [{"name": "x", "shape": [1], "datatype": "FP64"}]}', 400, 'has no "data"'),
    *[
        (INFER, b'{"inputs": [' + ONE_INPUT + b'], "outputs": ' + outputs + b"}", 400, words)
        for outputs, words in [
            (b'"label"', '"outputs" must be a list of objects with a "name"'),
            (b'[{"label": 1}]', '"outputs" must be a list of objects with a "name"'),
            (b'[{"name": "label", "shape": [1]}]', "output 'label' has unknown field(s) shape"),
            (b'[{"name": "label", "parameters": 1}]', "\"parameters\" of output 'label' must be"),
        ]
    ],
]


def test_bad_requests_get_a_4xx_that_says_what_is_expected(
    client: TestClient, tmp_path: Path
) -> None:
    good = next(iter(agreeing_requests(tmp_path)))
    bad = [(path, body, status, words) for path, body, status, words in BAD_BODIES]
    bad += [
        ("/predict", b'{"instances": ' + text.encode() + b"}", 400, words)
        for text, words in BAD_INSTANCES
    ]
    for path, body, status, words in bad:
        answer = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == status, (body, answer.text)
        assert set(answer.json()) == {"error"} and words in answer.json()["error"], (
            body,
            answer.text,
        )
        assert client.post("/predict", json={"instances": good.instances}).status_code == 200


def test_uploads_without_a_readable_file_are_refused(client: TestClient) -> None:
    no_file = b"--b\r\nContent-Disposition: form-data; name=note\r\n\r\nno file\r\n--b--\r\n"
    takes = payloads.INSTANCES
    for boundary, expected in [
        ("; boundary=b", f"the multipart upload holds no file; /predict takes {takes}"),
        ("", "the multipart upload cannot be read: "),  # and the parser's reason
    ]:
        headers = {"Content-Type": "multipart/form-data" + boundary}
        answer = client.post("/predict", content=no_file, headers=headers)
        assert answer.status_code == 400 and answer.json()["error"].startswith(expected)


def test_binary_data_that_does_not_add_up_is_refused(client: TestClient) -> None:
    header = json.dumps(
        {
            "inputs": [
                {
                    "name": "x",
                    "shape": [2],
                    "datatype": "FP64",
                    "parameters": {"binary_data_size": 16},
                }
            ]
        }
    ).encode()
    for tail, length, words in [
        (b"\0" * 8, str(len(header)), "more than the 8 bytes left"),
        (b"\0" * 24, str(len(header)), "add up to 16"),
        (b"\0" * 16, "many", "is not the length of the JSON part"),
    ]:
        answer = client.post(INFER, content=header + tail, headers={HEADER_LENGTH: length})
        assert answer.status_code == 400 and words in answer.json()["error"], answer.text


def test_the_body_and_the_batch_have_limits(served_models: Path, tmp_path: Path) -> None:
    client = client_of(served_models, Limits(max_batch=2, max_body=4096))
    good = next(iter(agreeing_requests(tmp_path)))
    answer = client.post(
        "/predict", content=b"[" * 5000, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["error"] == (
        "the body is larger than 4096 bytes (MAX_BODY_MB): send fewer rows per request"
    )
    two = json.dumps({"instances": good.instances[:2]})
    exactly = two + " " * (4096 - len(two))  # JSON allows trailing spaces
    assert client.post("/predict", content=exactly).status_code == 200
    chunked = client.post("/predict", content=iter([exactly.encode(), b" "]))  # no length sent
    assert chunked.status_code == 413 and "larger than 4096 bytes" in chunked.json()["error"]
    three = {"instances": good.instances[:1] * 3}
    answer = client.post("/predict", json=three)
    assert answer.status_code == 400 and answer.json()["error"] == (
        "the batch has 3 rows; at most 2 are taken per request (MAX_BATCH): split it"
    )
    assert client.post("/predict", json={"instances": good.instances[:2]}).status_code == 200


def test_metrics_count_requests_errors_and_time_by_route(client: TestClient) -> None:
    ready = 'http_requests_total{method="GET",route="/v2/health/ready",status="200"}'
    bad = 'http_request_errors_total{route="/predict",status="400"}'
    unmatched = 'http_request_errors_total{route="unmatched",status="404"}'  # no route's template
    timed = 'http_request_duration_seconds_sum{route="/v2/health/ready"}'
    before = {series: metric(client, series) for series in (ready, bad, unmatched, timed)}
    for _ in range(3):
        client.get("/v2/health/ready")
    client.post("/predict", content=b"{", headers={"Content-Type": "application/json"})
    client.get("/nowhere/42")
    grown = {series: metric(client, series) - before[series] for series in before}
    assert (grown[ready], grown[bad], grown[unmatched]) == (3, 1, 1)
    assert 0 < grown[timed] < 30  # each request's own time: three health checks, well under 30 s
    assert (
        'http_request_duration_seconds_bucket{le="0.005",route="/v2/health/ready"}'
        in client.get("/metrics").text
    )


def metric(client: TestClient, series: str) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


def test_the_service_starts_and_stops_as_uvicorn_runs_it(served_models: Path) -> None:
    """Start-up and shutdown (ASGI lifespan) pass through the metrics middleware untouched."""
    with TestClient(create_app(load_served_model(served_models))) as client:
        assert client.get("/v2/health/ready").json() == {"ready": True}


def test_the_openapi_docs_are_served(client: TestClient, served_models: Path) -> None:
    assert client.get("/docs").status_code == 200
    info = client.get("/openapi.json").json()["info"]
    assert info["title"] == MODEL_NAME and info["version"] == __version__
    assert info["description"] == (
        f"Predictions of the {MODEL_NAME} model (version {version_of(served_models)}): "
        "/predict, and the Open Inference Protocol v2 under /v2."
    )
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/predict", "/v2/models/{name}/infer", "/v2/health/ready", "/metrics"} <= set(paths)
    predict = paths["/predict"]["post"]["requestBody"]
    assert predict["required"] and payloads.INSTANCES in predict["description"]
    assert predict["content"]["application/json"]["example"] == {"instances": ["..."]}
    for path in ("/v2/models/{name}/infer", "/v2/models/{name}/versions/{version}/infer"):
        infer = paths[path]["post"]["requestBody"]
        assert infer["required"] and "binary tensor data extension" in infer["description"]
        example = infer["content"]["application/json"]
        assert example["schema"] == {"type": "object"} and "inputs" in example["example"]


@pytest.fixture
def threads_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` limits the math threads of its whole process; these tests' process goes on to
    train other models, whose weights depend on the threads they compute with."""
    monkeypatch.setattr(serve_command, "limit_threads", lambda _count: None)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["--engine", "gpu"], "--engine: expected one of onnx, framework, got 'gpu'"),
        (["--port", "0"], "--port: expected a whole number of at least 1, got '0'"),
        (["--workers", "many"], "--workers: expected a whole number of at least 1"),
    ],
)
def test_bad_serve_settings_exit_2_naming_the_flag(
    given: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", *given])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.usefixtures("threads_kept")
def test_serve_without_a_model_says_how_to_make_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--models-dir", "nowhere"]) == 1
    assert "run `train` first (make train)" in one_error_line(capsys.readouterr().err)


@pytest.mark.usefixtures("threads_kept")
@pytest.mark.parametrize(("engine", "part"), [("onnx", "onnx"), ("framework", "model")])
def test_a_damaged_model_stops_start_up_in_one_line(
    engine: str, part: str, served_models: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file the engine reads damaged: ONNX Runtime's graph, or the framework's model."""
    saved = json.loads((served_models / "model.json").read_text())
    (served_models / saved["files"][part]).write_bytes(b"not a model")
    assert main(["serve", "--models-dir", str(served_models), "--engine", engine]) == 1
    said = one_error_line(capsys.readouterr().err)
    found = re.search(r"could not be read \((\w+): (.*)\); train it again: make train$", said)
    assert found and found.group(2).strip() not in ("", "None"), said  # the reader's own reason
