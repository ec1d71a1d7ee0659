"""`serve`: the REST service on uvicorn, with the model loaded and checked before it listens.

The settings come from flags or the environment (the image and compose set the latter):
PORT, HOST, WORKERS, THREADS, MAX_BATCH, MAX_BODY_MB, SERVE_ENGINE, ACCESS_LOG. With several
workers each
is a process of its own that loads the model; PROMETHEUS_MULTIPROC_DIR (made under /tmp when
not set) lets /metrics add up every worker's counts. Each worker computes with a fixed number
of math threads (THREADS, 1 by default): several workers then do not fight over the cores,
and one small request is not split over threads that wait on each other.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .arguments import whole_number

APP_FACTORY = f"{__package__}.serve_command:app_from_environment"
# The threads of OpenMP and the BLAS libraries (NumPy, scikit-learn, PyTorch) and TensorFlow's.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)


def one_of(*choices: str) -> Callable[[str], str]:
    """The type of a flag that takes one of `choices` (argparse's `choices` would not check a
    default taken from the environment)."""

    def chosen(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(choices)}, got {text!r}")
        return text

    return chosen


# Each flag: its environment variable, default, type and what it sets. argparse checks a
# default as it checks a flag, so a bad value in the environment is refused in one line too.
SETTINGS: dict[str, tuple[str, str, Callable[[str], Any], str]] = {
    "host": ("HOST", "127.0.0.1", str, "address to listen on"),
    "port": ("PORT", "8000", whole_number(1), "port"),
    "workers": ("WORKERS", "1", whole_number(1), "worker processes"),
    "threads": (
        "THREADS",
        "1",
        whole_number(1),
        "math threads per worker: more cores serve more requests with WORKERS",
    ),
    "max_batch": ("MAX_BATCH", "1000", whole_number(1), "most rows per request"),
    "max_body_mb": ("MAX_BODY_MB", "32", whole_number(1), "largest request body, in MB"),
    "engine": (
        "SERVE_ENGINE",
        "onnx",
        one_of("onnx", "framework"),
        "what computes the answers: onnx (ONNX Runtime, the model exported at training) or "
        "framework (the training framework, in the training image)",
    ),
}


def add_serve_command(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve", parents=parents, help="serve the model over HTTP: /predict and the V2 protocol"
    )
    for name, (variable, value, kind, what) in SETTINGS.items():
        serve.add_argument(
            f"--{name.replace('_', '-')}",
            type=kind,
            default=os.environ.get(variable, value),
            help=f"{what} ({variable}; default: {value})",
        )
    serve.add_argument(
        "--access-log",
        action="store_true",
        default=os.environ.get("ACCESS_LOG") == "1",
        help="log every request (ACCESS_LOG=1)",
    )


def limit_threads(count: int) -> None:
    """Every math library of this process computes with `count` threads: those loaded already
    (NumPy's BLAS) from now on, the frameworks (read at their import) from the environment."""
    from threadpoolctl import threadpool_limits

    for variable in THREAD_VARIABLES:
        os.environ[variable] = str(count)
    threadpool_limits(count)


def serve(args: argparse.Namespace, models_dir: Path) -> None:
    """Load the model (a missing or damaged one stops here, with one line), then listen."""
    limit_threads(args.threads)  # before the framework is imported
    import uvicorn

    from .served_model import load_served_model
    from .server import Limits, create_app

    limits = Limits(max_batch=args.max_batch, max_body=args.max_body_mb * 2**20)
    model = load_served_model(models_dir, args.engine, args.threads)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "access_log": args.access_log,
        "timeout_graceful_shutdown": 5,
    }
    if args.workers == 1:
        uvicorn.run(create_app(model, limits), **options)
        return
    os.environ.update(
        MODELS_DIR=str(models_dir.resolve()),
        MAX_BATCH=str(limits.max_batch),
        MAX_BODY_MB=str(args.max_body_mb),
        SERVE_ENGINE=args.engine,
        THREADS=str(args.threads),
    )
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="metrics-"))
    uvicorn.run(APP_FACTORY, factory=True, workers=args.workers, **options)


def app_from_environment() -> Any:
    """One worker's app, from the settings `serve` put in the environment (the thread
    variables included: a worker is a new process that reads them as it imports)."""
    from .served_model import load_served_model
    from .server import Limits, create_app

    limits = Limits(int(os.environ["MAX_BATCH"]), int(os.environ["MAX_BODY_MB"]) * 2**20)
    model = load_served_model(
        Path(os.environ["MODELS_DIR"]), os.environ["SERVE_ENGINE"], int(os.environ["THREADS"])
    )
    return create_app(model, limits)
