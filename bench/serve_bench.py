"""The REST service on loopback: latency and throughput of each framework's model against a
bare FastAPI endpoint, the floor of the stack.

Bakes each variant (the default model of every framework, and the CNNs), installs its pinned
requirements in a virtualenv (one per framework, shared by its models), trains it on its
bundled dataset (the networks for 3 epochs: the quality does not matter here) and starts
`<package> serve` with one worker on a free 127.0.0.1 port, once per engine (`--engines`:
ONNX Runtime on the graph exported at training, and the framework). A bare endpoint (a FastAPI
`POST /predict` that reads the body and answers a constant) runs on uvicorn in the same
virtualenv with the same settings (one worker, no access log). Then it sends, in rounds that
alternate between the bare endpoint and every variant so that all see the same load on the
machine:

- one-row (one-image) `POST /predict` requests at concurrency 1 and 8 (`--requests` of each,
  default 10,000, over all rounds), one keep-alive connection per client thread: p50 and
  p99 in ms (of every request), requests/s (the median of the rounds) and, at concurrency 8,
  the throughput over the bare endpoint's in the same round (median of the rounds);
- 100-row (100-image) `POST /predict` requests at concurrency 1: rows/s (median of the rounds);
- one-row V2 `POST /v2/models/<name>/infer` JSON requests at concurrency 1 (one FP64 tensor
  per column, named as the metadata route says; one FP32 tensor for images): p50;
- the requests answered with anything but 200 (there should be none).

Rows come from the project's `samples/<dataset>.csv` (the columns the metadata lists), images
from scikit-learn's bundled digits (8x8 grayscale, pixels 0..1). The client is a minimal HTTP/1.1
client on raw sockets, each request's bytes made once: it shares the two cores with the
servers, so it should cost them as little as it can. It prints figures only; whether the
issue's targets are met is said as text.

Run with `make bench-serve` (no Docker needed), or from the repository root
`.venv/bin/python -m bench.serve_bench --variants sklearn-logistic pytorch-cnn`; `--quick`
(500 requests) for a smoke run, `--work DIR` to keep the virtualenvs between runs (the projects
are baked and trained afresh each time, so they hold the template's current code). The
installs take a few minutes (PyTorch and TensorFlow are large); the requests take as long as the
service's latency says: about 4 minutes for all five variants and both engines at under 1 ms a
request, on two cores (a minute with --quick).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local_extensions import FRAMEWORKS
from tooling.commands import run
from tooling.installed_project import ENV, bake_and_install
from tooling.loopback import free_port
from tooling.pythons import require_python

DEFAULT_MODEL = "logistic"  # the template's default model, offered by every framework
# What each variant is named by --variants: the default model of every framework, then the
# models of images.
VARIANTS = {
    f"{framework}-{model}": (framework, model)
    for kind in ("tables", "images")
    for framework, facts in FRAMEWORKS.items()
    for model, model_facts in facts["models"].items()
    if model_facts["inputs"] == kind and (kind == "images" or model == DEFAULT_MODEL)
}
EPOCHS = "3"  # of the networks' training: the quality of the model does not matter here
BATCH_ROWS = 100
CONCURRENCIES = (1, 8)
READY_TIMEOUT_S = 300  # TensorFlow takes a while to import on a loaded machine
# The server's settings come from the flags alone.
SERVER_VARIABLES = (
    "HOST",
    "PORT",
    "WORKERS",
    "THREADS",
    "MAX_BATCH",
    "MAX_BODY_MB",
    "SERVE_ENGINE",
    "ACCESS_LOG",
)

# The floor: FastAPI on uvicorn, as the service runs them, answering a constant.
BARE_APP = """
import sys
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
ANSWER = {"predictions": ["1"], "probabilities": [{"0": 0.5, "1": 0.5}]}

@app.post("/predict")
async def predict(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse(ANSWER)

@app.get("/v2/health/ready")
def ready() -> dict[str, bool]:
    return {"ready": True}

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, timeout_graceful_shutdown=5)
"""

DIGITS = """
import json
from sklearn.datasets import load_digits
print(json.dumps((load_digits().images[:200] / 16).round(4).tolist()))
"""


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port, reading answers that have a
    Content-Length (uvicorn's for every JSON answer)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.pending = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.pending = None, b""

    def send(self, request: bytes) -> tuple[int, bytes]:
        """The status and body of the answer to `request` (its bytes, head and body)."""
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=120)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(request)
        data = self.pending
        while (end := data.find(b"\r\n\r\n")) < 0:
            data += self.receive()
        head, data = data[:end].decode("latin-1"), data[end + 4 :]
        fields = dict(line.split(":", 1) for line in head.split("\r\n")[1:])
        fields = {name.strip().lower(): value.strip() for name, value in fields.items()}
        length = int(fields["content-length"])
        while len(data) < length:
            data += self.receive()
        body, self.pending = data[:length], data[length:]
        if fields.get("connection", "").lower() == "close":
            self.close()
        return int(head.split(" ", 2)[1]), body

    def receive(self) -> bytes:
        assert self.sock is not None
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk


def http_request(port: int, method: str, path: str, body: dict[str, Any] | None = None) -> bytes:
    content = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(content)}\r\n"
    return head.encode() + b"\r\n" + content


@dataclass
class Load:
    """What one load run gave: each request's seconds, the requests that were not a 200, the
    wall time."""

    latencies: list[float]
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds


def load(port: int, requests: list[bytes], count: int, concurrency: int) -> Load:
    """`count` requests (cycling through `requests`) from `concurrency` threads, each with a
    keep-alive connection of its own."""
    shares = [count // concurrency + (index < count % concurrency) for index in range(concurrency)]
    latencies: list[list[float]] = [[] for _ in shares]
    errors = [0] * concurrency
    start = threading.Barrier(concurrency + 1)

    def client(index: int) -> None:
        connection, timings = Connection(port), latencies[index]
        start.wait()
        for number in range(shares[index]):
            request = requests[(index + number * concurrency) % len(requests)]
            began = time.perf_counter()
            try:
                status, _ = connection.send(request)
            except OSError:
                status = 0
                connection.close()
            timings.append(time.perf_counter() - began)
            errors[index] += status != 200
        connection.close()

    threads = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Load([t for timings in latencies for t in timings], sum(errors), time.perf_counter() - began)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` of 1) of `values`."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


@dataclass
class Target:
    """An endpoint under load, its requests (made once) and what it measured."""

    name: str
    port: int
    one: list[bytes]  # one-row /predict requests
    batch: list[bytes] = field(default_factory=list)  # BATCH_ROWS-row /predict requests
    infer: list[bytes] = field(default_factory=list)  # one-row V2 infer requests
    runs: dict[str, list[Load]] = field(default_factory=dict)

    def record(self, kind: str, measured: Load) -> None:
        self.runs.setdefault(kind, []).append(measured)

    def latencies(self, kind: str) -> list[float]:
        return [t for measured in self.runs.get(kind, []) for t in measured.latencies]

    def errors(self) -> int:
        return sum(measured.errors for runs in self.runs.values() for measured in runs)


@contextmanager
def server(
    command: list[str], cwd: Path, environment: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process, ended (and waited for) when the block ends, Ctrl-C included."""
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        connection = Connection(port)
        try:
            if connection.send(http_request(port, "GET", "/v2/health/ready"))[0] == 200:
                return
        except OSError:
            pass  # not listening yet
        finally:
            connection.close()
        time.sleep(0.3)
    what = (
        f"exited {process.returncode}" if process.poll() is not None else f"not ready in {READY_TIMEOUT_S} s"
    )
    raise SystemExit(f"the server on port {port} {what}:\n{log.read_text()[-3000:]}")


def get_json(port: int, path: str) -> Any:
    connection = Connection(port)
    status, body = connection.send(http_request(port, "GET", path))
    connection.close()
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}: {body[:500]!r}")
    return json.loads(body)


@dataclass
class Variant:
    name: str
    framework: str
    model: str
    project: Path = Path()
    package: str = ""
    python: str = ""

    @property
    def slug(self) -> str:
        return f"bench-{self.name}"

    def environment(self) -> dict[str, str]:
        environment = {**ENV, "PYTHONPATH": str(self.project / "src")}
        for variable in SERVER_VARIABLES:
            environment.pop(variable, None)
        return environment


@contextmanager
def output_to_stderr() -> Iterator[None]:
    """What this process and its children print goes to stderr (cookiecutter's post-generation
    hook prints the next steps): stdout holds the figures only."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def prepare(python: str, work: Path, variant: Variant) -> None:
    """Bake, install (the framework's virtualenv, reused when there) and train."""
    folder = work / variant.framework
    shutil.rmtree(folder / variant.slug, ignore_errors=True)  # a bake of an earlier run
    folder.mkdir(parents=True, exist_ok=True)
    answers = {"framework": variant.framework, "model": variant.model, "project_slug": variant.slug}
    print(f"{variant.name}: baking, installing ...", file=sys.stderr)
    with output_to_stderr():
        variant.project, variant.package, variant.python = bake_and_install(python, folder, answers)
    params = ["--training.epochs", str(EPOCHS)] if FRAMEWORKS[variant.framework]["network"] else []
    print(f"{variant.name}: training ...", file=sys.stderr)
    run(
        [variant.python, "-m", variant.package, "train", *params],
        variant.project,
        environment=variant.environment(),
    )


def instances(variant: Variant, inputs: list[dict[str, Any]]) -> list[Any]:
    """The rows (or images) the requests send: the sample's table rows in the model's column
    order, or the bundled digits."""
    if len(inputs) == 1 and len(inputs[0]["shape"]) > 2:  # one tensor of images
        shape = inputs[0]["shape"][1:]
        if shape != [8, 8, 1]:
            raise SystemExit(f"{variant.name}: the model takes images of {shape}; the digits are [8, 8, 1]")
        digits = run([variant.python, "-c", DIGITS], environment=variant.environment()).stdout
        images: list[Any] = json.loads(digits)
        return images
    (sample,) = (variant.project / "samples").glob("*.csv")
    with sample.open(newline="") as table:
        records = list(csv.DictReader(table))

    def cell(text: str, datatype: str) -> Any:
        return None if text == "" else float(text) if datatype == "FP64" else text

    return [[cell(record[i["name"]], i["datatype"]) for i in inputs] for record in records]


def infer_body(inputs: list[dict[str, Any]], row: Any) -> dict[str, Any]:
    """One row as a V2 request: one tensor per column, or one tensor of one image."""
    if len(inputs) == 1 and len(inputs[0]["shape"]) > 2:
        (tensor,) = inputs
        pixels = [value for line in row for value in line]  # H x W, grayscale
        return {"inputs": [{**tensor, "shape": [1, *tensor["shape"][1:]], "data": pixels}]}
    return {
        "inputs": [
            {**tensor, "shape": [1], "data": [value]} for tensor, value in zip(inputs, row, strict=True)
        ]
    }


def model_target(variant: Variant, name: str, port: int) -> Target:
    """The variant's requests, each checked once: a 200 with the predictions asked for."""
    metadata = get_json(port, f"/v2/models/{variant.slug}")
    rows = instances(variant, metadata["inputs"])
    batches = [[rows[(start + n) % len(rows)] for n in range(BATCH_ROWS)] for start in range(0, len(rows), 7)]
    target = Target(
        name,
        port,
        one=[http_request(port, "POST", "/predict", {"instances": [row]}) for row in rows],
        batch=[http_request(port, "POST", "/predict", {"instances": batch}) for batch in batches],
        infer=[
            http_request(
                port, "POST", f"/v2/models/{variant.slug}/infer", infer_body(metadata["inputs"], row)
            )
            for row in rows
        ],
    )
    connection = Connection(port)
    for request, expected in ((target.one[0], 1), (target.batch[0], BATCH_ROWS), (target.infer[0], 1)):
        status, body = connection.send(request)
        answer = json.loads(body)
        given = len(answer["predictions"]) if "predictions" in answer else answer["outputs"][0]["shape"][0]
        if status != 200 or given != expected:
            raise SystemExit(f"{name}: {request[:80]!r}... answered {status}: {body[:500]!r}")
    connection.close()
    return target


def measure(targets: list[Target], rounds: int, requests: int, batches: int, infers: int) -> None:
    """Warm every endpoint up, then the rounds: each kind of load on each endpoint in turn."""
    for target in targets:
        for kind in ("one", "batch", "infer"):
            if getattr(target, kind):
                load(target.port, getattr(target, kind), 50 if kind != "batch" else 5, 1)
    for number in range(rounds):
        print(f"round {number + 1} of {rounds} ...", file=sys.stderr)
        for concurrency in CONCURRENCIES:
            for target in targets:
                target.record(
                    f"c{concurrency}", load(target.port, target.one, requests // rounds, concurrency)
                )
        for target in targets[1:]:
            target.record("batch", load(target.port, target.batch, max(1, batches // rounds), 1))
            target.record("infer", load(target.port, target.infer, max(1, infers // rounds), 1))


def figures(target: Target, bare: Target) -> dict[str, float]:
    found = {}
    for concurrency in CONCURRENCIES:
        kind = f"c{concurrency}"
        latencies = target.latencies(kind)
        found[f"{kind}_p50"] = percentile(latencies, 0.5) * 1000
        found[f"{kind}_p99"] = percentile(latencies, 0.99) * 1000
        found[f"{kind}_rps"] = statistics.median(measured.per_second for measured in target.runs[kind])
    found["ratio"] = statistics.median(
        mine.per_second / floor.per_second
        for mine, floor in zip(target.runs["c8"], bare.runs["c8"], strict=True)
    )
    if "batch" in target.runs:
        found["rows_s"] = statistics.median(m.per_second * BATCH_ROWS for m in target.runs["batch"])
        found["infer_p50"] = percentile(target.latencies("infer"), 0.5) * 1000
    return found


def served_by(variant: str, engine: str) -> str:
    """The endpoint's name: the variant and the engine that computes its answers."""
    return f"{variant} ({engine})"


def report(
    targets: list[Target], engines: list[str], requests: int, rounds: int, batches: int, infers: int
) -> None:
    bare = targets[0]
    print(
        f"\nOne worker per server, loopback, {requests:,} one-row requests at each concurrency "
        f"and {batches:,} requests of {BATCH_ROWS} rows and {infers:,} V2 infer requests at "
        f"concurrency 1, in {rounds} rounds alternating between the endpoints; latencies over "
        "every request, throughputs the median of the rounds:\n"
    )
    print(
        "| endpoint | c1 p50 ms | c1 p99 ms | c1 req/s | c8 p50 ms | c8 p99 ms | c8 req/s "
        f"| c8 / bare | rows/s ({BATCH_ROWS}-row, c1) | V2 infer p50 ms (c1) | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    measured = {}
    for target in targets:
        found = measured[target.name] = figures(target, bare)
        rows = f"{found['rows_s']:,.0f}" if "rows_s" in found else "-"
        infer = f"{found['infer_p50']:.2f}" if "infer_p50" in found else "-"
        print(
            f"| {target.name} | {found['c1_p50']:.2f} | {found['c1_p99']:.2f} | {found['c1_rps']:,.0f} "
            f"| {found['c8_p50']:.2f} | {found['c8_p99']:.2f} | {found['c8_rps']:,.0f} "
            f"| {found['ratio']:.2f} | {rows} | {infer} | {target.errors()} |"
        )
    print(
        "\nTargets: the scikit-learn logistic model p50 <= 5 ms and p99 <= 20 ms at concurrency 1, "
        "throughput >= 0.25x the bare endpoint at concurrency 8, >= 20,000 rows/s with "
        f"{BATCH_ROWS}-row requests; the CNN: one image p50 <= 10 ms at concurrency 1; no errors.\n"
    )
    checks: list[tuple[str, float, str, float, str]] = []  # what, value, sense, bar, unit
    default = served_by("sklearn-logistic", engines[0])  # the service's targets: its default engine
    if default in measured:
        found = measured[default]
        checks += [
            (f"{default} p50 at c1", found["c1_p50"], "<=", 5, " ms"),
            (f"{default} p99 at c1", found["c1_p99"], "<=", 20, " ms"),
            (f"{default} throughput / bare at c8", found["ratio"], ">=", 0.25, "x"),
            (f"{default} with {BATCH_ROWS}-row requests", found["rows_s"], ">=", 20_000, " rows/s"),
        ]
    checks += [
        (f"{name} one image p50 at c1", found["c1_p50"], "<=", 10, " ms")
        for name, found in measured.items()
        if "-cnn (" in name
    ]
    if set(engines) == {"onnx", "framework"}:  # ONNX Runtime no slower than the framework
        variants = sorted({name.rsplit(" (", 1)[0] for name in measured} - {bare.name})
        checks += [
            (
                f"{variant}: one-row p50 with ONNX Runtime / with the framework (c1)",
                measured[served_by(variant, "onnx")]["c1_p50"]
                / measured[served_by(variant, "framework")]["c1_p50"],
                "<=",
                1,
                "x",
            )
            for variant in variants
        ]
    for what, value, sense, bar, unit in checks:
        met = value <= bar if sense == "<=" else value >= bar
        shown = f"{value:,.0f}" if value >= 1000 else f"{value:.2f}"
        print(f"- {what}: {shown}{unit} (target {sense} {bar:,}{unit}): {'met' if met else 'NOT met'}")
    errors = sum(target.errors() for target in targets)
    print(f"- requests not answered with 200: {errors} (target 0): {'met' if errors == 0 else 'NOT met'}")


def stop_on_sigterm() -> None:
    """A SIGTERM (or SIGHUP) ends the run as Ctrl-C does: the servers are stopped first."""

    def handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS), metavar="VARIANT")
    parser.add_argument("--requests", type=int, default=10_000, help="one-row requests per concurrency")
    parser.add_argument("--batches", type=int, default=200, help=f"{BATCH_ROWS}-row requests")
    parser.add_argument("--infers", type=int, default=1000, help="V2 infer requests")
    parser.add_argument("--rounds", type=int, default=5, help="rounds alternating between the endpoints")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 500 requests, 40 batches, 100 infers"
    )
    parser.add_argument("--work", type=Path, help="keep the virtualenvs here, for the next run")
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=("onnx", "framework"),
        default=["onnx", "framework"],
        help="what computes the answers (SERVE_ENGINE): each variant is served with each",
    )
    args = parser.parse_args()
    if args.quick:
        args.requests, args.batches, args.infers = 500, 40, 100
    if args.requests < args.rounds * max(CONCURRENCIES):
        parser.error(f"--requests must be at least {args.rounds * max(CONCURRENCIES)}")
    print(f"variants: {', '.join(args.variants)}", file=sys.stderr)
    stop_on_sigterm()
    python = require_python("3.11")
    started = time.perf_counter()
    with ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="serve-bench-")))
        work = work.resolve()
        variants = [Variant(name, *VARIANTS[name]) for name in args.variants]
        for variant in variants:
            prepare(python, work, variant)
        setup_s = time.perf_counter() - started

        logs = work / "logs"
        logs.mkdir(exist_ok=True)
        started_servers = {}

        def start(name: str, command: list[str], cwd: Path, environment: dict[str, str]) -> None:
            port, log = free_port(), logs / f"{name}.log"
            process = stack.enter_context(server([*command, str(port)], cwd, environment, log))
            started_servers[name] = (port, process, log)

        first = variants[0]  # the bare endpoint runs in its virtualenv
        start("bare", [first.python, "-c", BARE_APP], work, first.environment())
        for variant in variants:
            for engine in args.engines:
                command = [variant.python, "-m", variant.package, "serve", "--host", "127.0.0.1"]
                command += ["--engine", engine, "--workers", "1", "--port"]
                start(served_by(variant.name, engine), command, variant.project, variant.environment())
        for port, process, log in started_servers.values():
            wait_ready(port, process, log)

        bare_port = started_servers["bare"][0]
        bare_body = {"instances": [[0.0] * 30]}  # the size of a breast_cancer row
        bare_request = http_request(bare_port, "POST", "/predict", bare_body)
        targets = [Target("bare FastAPI endpoint", bare_port, [bare_request])]
        targets += [
            model_target(variant, name, started_servers[name][0])
            for variant in variants
            for name in (served_by(variant.name, engine) for engine in args.engines)
        ]

        print("measuring ...", file=sys.stderr)
        measure_started = time.perf_counter()
        measure(targets, args.rounds, args.requests, args.batches, args.infers)
        measure_s = time.perf_counter() - measure_started
        report(targets, args.engines, args.requests, args.rounds, args.batches, args.infers)
    print(
        f"\nSet-up (bake, install, train) {setup_s:.0f} s, requests {measure_s:.0f} s, "
        f"whole run {time.perf_counter() - started:.0f} s on {os.cpu_count()} cores."
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted (the servers were stopped)")
