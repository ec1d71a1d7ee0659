"""The REST service: `/predict`, the Open Inference Protocol v2 routes, health, metrics and
the OpenAPI docs, answering with a model loaded once.

Each request's body is read here (at most `Limits.max_body` bytes) and decoded by the route,
then scored by the same function as `make predict`. A small request (a few rows, one small
image) is answered on the event loop: its work costs less than a trip to a worker thread, and
threads that take turns at Python's interpreter lock cost more still. A larger one goes to a
worker thread, so a slow batch never holds up the other requests. Every error is
`{"error": "..."}` with a 4xx that says what was expected (a 5xx is a bug), and the service
answers the next request as before.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import __version__, payloads
from .errors import UserError
from .protocol import HEADER_LENGTH, json_object, read_request, write_response
from .served_model import ServedModel

log = logging.getLogger(__name__)

REQUESTS = Counter("http_requests_total", "Requests answered", ["route", "method", "status"])
ERRORS = Counter(
    "http_request_errors_total", "Requests answered with a 4xx or 5xx", ["route", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ROWS = Counter("model_rows_scored_total", "Rows (or images) scored")
# Bodies up to this size are decoded and scored on the event loop (well under a millisecond
# of work for a few table rows or one small image); larger ones in a worker thread.
INLINE_BODY = 16 * 2**10


@dataclass(frozen=True)
class Limits:
    """What one request may hold: a larger body is refused with 413, a larger batch with 400."""

    max_batch: int = 1000  # rows or images per request
    max_body: int = 32 * 2**20  # bytes


class RequestError(Exception):
    """A request the service cannot take, and the 4xx status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(model: ServedModel, limits: Limits | None = None) -> FastAPI:
    limits = limits or Limits()
    app = FastAPI(
        title=model.name,
        version=__version__,
        description=f"Predictions of the {model.name} model (version {model.version}): "
        "/predict, and the Open Inference Protocol v2 under /v2.",
    )
    app.add_middleware(Metrics)
    add_error_handlers(app)

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_body:
            raise RequestError(413, too_large(limits))
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limits.max_body:
                raise RequestError(413, too_large(limits))
        return bytes(body)

    def check_batch(rows: int) -> None:
        if rows == 0:
            raise RequestError(400, "the batch is empty: send at least one row")
        if rows > limits.max_batch:
            raise RequestError(
                400,
                f"the batch has {rows} rows; at most {limits.max_batch} are taken per request "
                "(MAX_BATCH): split it",
            )

    def check_model(name: str, version: str | None = None) -> None:
        if name != model.name:
            raise RequestError(404, f"no model {name!r}: this service serves {model.name!r}")
        if version is not None and version != model.version:
            raise RequestError(
                404,
                f"model {name!r} has no version {version!r}; it serves version {model.version!r}",
            )

    @app.get("/health", summary="Whether the service is up, and the model it serves")
    def health() -> dict[str, str]:
        return {"status": "ok", "model": model.name, "version": model.version}

    @app.post(
        "/predict",
        summary="Predictions for a batch of instances",
        openapi_extra={"requestBody": PREDICT_BODY},
    )
    async def predict(request: Request) -> JSONResponse:
        body = await read_body(request)
        batch: Callable[[], list[Any]] = partial(read_instances, body)
        decode: Callable[[list[Any], dict[str, Any]], Any] = payloads.from_instances
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            files = await uploaded_files(request, body)
            batch, decode = partial(list, files), payloads.from_files
        answer = await answered(body, partial(predict_answer, model, batch, decode, check_batch))
        return JSONResponse(answer)

    @app.get("/v2/health/live", summary="V2: the server is live")
    def live() -> dict[str, bool]:
        return {"live": True}

    @app.get("/v2/health/ready", summary="V2: the server is ready (its model is loaded)")
    def ready() -> dict[str, bool]:
        return {"ready": True}

    @app.get("/v2", summary="V2: server metadata")
    def server_metadata() -> dict[str, Any]:
        return {"name": model.name, "version": __version__, "extensions": ["binary_tensor_data"]}

    @app.get("/v2/models/{name}", summary="V2: model metadata")
    @app.get("/v2/models/{name}/versions/{version}", summary="V2: model metadata")
    def model_metadata(name: str, version: str | None = None) -> dict[str, Any]:
        check_model(name, version)
        return {
            "name": model.name,
            "versions": [model.version],
            "platform": model.engine.platform,
            "inputs": payloads.input_tensors(model.metadata),
            "outputs": model.output_tensors(),
            "parameters": model.description(),
        }

    @app.get("/v2/models/{name}/ready", summary="V2: the model is ready")
    @app.get("/v2/models/{name}/versions/{version}/ready", summary="V2: the model is ready")
    def model_ready(name: str, version: str | None = None) -> dict[str, Any]:
        check_model(name, version)
        return {"name": model.name, "ready": True}

    @app.post(
        "/v2/models/{name}/infer",
        summary="V2: inference (JSON tensors, or the binary tensor data extension)",
        openapi_extra={"requestBody": INFER_BODY},
    )
    @app.post(
        "/v2/models/{name}/versions/{version}/infer",
        summary="V2: inference of a model version",
        openapi_extra={"requestBody": INFER_BODY},
    )
    async def infer(request: Request, name: str, version: str | None = None) -> Response:
        check_model(name, version)
        body = await read_body(request)
        header_length = request.headers.get(HEADER_LENGTH)
        content, json_length = await answered(
            body, partial(infer_answer, model, body, header_length, check_batch)
        )
        headers = {} if json_length is None else {HEADER_LENGTH: str(json_length)}
        media = "application/json" if json_length is None else "application/octet-stream"
        return Response(content, media_type=media, headers=headers)

    @app.get("/metrics", summary="Prometheus metrics: requests, errors and latency by route")
    def metrics() -> Response:
        return Response(prometheus_text(), media_type=CONTENT_TYPE_LATEST)

    return app


async def answered(body: bytes, answer: Callable[[], Any]) -> Any:
    """`answer()`, on the event loop for a small body, else in a worker thread."""
    if len(body) <= INLINE_BODY:
        return answer()
    return await run_in_threadpool(answer)


def too_large(limits: Limits) -> str:
    return (
        f"the body is larger than {limits.max_body} bytes (MAX_BODY_MB): "
        "send fewer rows per request"
    )


def read_instances(body: bytes) -> list[Any]:
    request = json_object(body, "the request body")
    if set(request) != {"instances"} or not isinstance(request["instances"], list):
        raise UserError('the request body must be {"instances": [...]}, a list of rows or images')
    instances: list[Any] = request["instances"]
    return instances


async def uploaded_files(request: Request, body: bytes) -> list[tuple[str, bytes]]:
    """The files of a multipart upload (any field name), read from the body already read."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form()
    except Exception as exc:  # starlette's MultiPartException, a broken boundary
        raise UserError(f"the multipart upload cannot be read: {exc}") from None
    try:
        files = [
            (item.filename or key, await item.read())
            for key, item in form.multi_items()
            if isinstance(item, UploadFile)
        ]
    finally:
        await form.close()
    if not files:
        raise UserError(f"the multipart upload holds no file; /predict takes {payloads.INSTANCES}")
    return files


def predict_answer(
    model: ServedModel,
    batch: Callable[[], list[Any]],
    decode: Callable[[list[Any], dict[str, Any]], Any],
    check_batch: Callable[[int], None],
) -> dict[str, Any]:
    """/predict's answer for the instances (or files) `batch` gives, which `decode` makes the
    model's inputs: the predictions, and for a classifier each class's probability."""
    items = batch()
    check_batch(len(items))
    scores = model.score(decode(items, model.metadata))
    ROWS.inc(len(scores))
    answer: dict[str, Any] = {"predictions": scores.predictions.tolist()}
    if scores.probabilities is not None:
        answer["probabilities"] = [
            dict(zip(scores.classes, row, strict=True)) for row in scores.probabilities.tolist()
        ]
    return answer


def infer_answer(
    model: ServedModel, body: bytes, header_length: str | None, check_batch: Callable[[int], None]
) -> tuple[bytes, int | None]:
    """The V2 response to the inference request in `body`, and the length of its JSON part
    when binary tensors follow it."""
    request = read_request(body, header_length)
    inputs = payloads.from_tensors(request.inputs, model.metadata)
    check_batch(len(inputs))
    known = [tensor["name"] for tensor in model.output_tensors()]
    wanted = (
        request.outputs
        if request.outputs is not None
        else dict.fromkeys(known, request.binary_output)
    )
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise UserError(f"no output {', '.join(unknown)}: the model gives {', '.join(known)}")
    scores = model.score(inputs)
    ROWS.inc(len(scores))
    outputs = [tensor for tensor in model.outputs(scores) if tensor.name in wanted]
    header: dict[str, Any] = {"model_name": model.name, "model_version": model.version}
    if request.id is not None:
        header["id"] = request.id
    return write_response(header, outputs, {name for name, binary in wanted.items() if binary})


def add_error_handlers(app: FastAPI) -> None:
    """Every error in the protocol's shape, {"error": "..."}: never FastAPI's {"detail"}."""

    @app.exception_handler(UserError)
    async def bad_input(_request: Request, exc: UserError) -> JSONResponse:
        return error(400, str(exc))

    @app.exception_handler(RequestError)
    async def refused(_request: Request, exc: RequestError) -> JSONResponse:
        return error(exc.status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error(400, "; ".join(str(item.get("msg", item)) for item in exc.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        message = {
            404: f"no route {request.url.path}: see /docs",
            405: f"{request.method} is not allowed on {request.url.path}",
        }
        return error(exc.status_code, message.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def failure(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("error while answering a request")
        return error(500, f"internal error: {type(exc).__name__}")


def prometheus_text() -> bytes:
    """The metrics of every worker process when there are several (PROMETHEUS_MULTIPROC_DIR)."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


class Metrics:
    """Counts and times every request by route (its template, so ids do not make new series)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = route_of(scope)
            REQUESTS.labels(route, scope["method"], str(status)).inc()
            if status >= 400:
                ERRORS.labels(route, str(status)).inc()
            LATENCY.labels(route).observe(time.perf_counter() - started)


def route_of(scope: Scope) -> str:
    """The template of the route that answered (FastAPI puts the route in the scope)."""
    route = scope.get("route")
    return str(route.path) if route is not None else "unmatched"


def schema(example: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "required": True,
        "description": description,
        "content": {"application/json": {"schema": {"type": "object"}, "example": example}},
    }


PREDICT_BODY = schema(
    {"instances": ["..."]},
    'A batch: {"instances": [...]}. ' + payloads.INSTANCES,
)
INFER_BODY = schema(
    {"id": "1", "inputs": [{"name": "...", "shape": [1], "datatype": "FP64", "data": [0.0]}]},
    "An Open Inference Protocol v2 request; with the Inference-Header-Content-Length header, "
    "the binary tensor data extension. See GET /v2/models/{name} for the inputs.",
)
