"""Support code for the "docker" test tier: engine checks, base images, wheelhouses, cleanup.

The machines that run this tier have no container registry and no network from inside
containers (see the project's ENVIRONMENT notes). So:

- ``FROM python:X.Y-slim`` only works if an image with exactly that name is already in the
  local engine; :func:`ensure_python_base_image` builds a faithful local stand-in.
- ``pip install`` inside a build cannot reach an index; :func:`download_wheels` fetches wheels
  on the host and :func:`serve_directory` serves them on loopback, so builds can run with
  ``--network host --build-arg PIP_NO_INDEX=1 --build-arg PIP_FIND_LINKS=<url>``.
"""

import base64
import fcntl
import functools
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# Debian release of the stand-in images (the official python:X.Y-slim images of our era).
DEBIAN_SUITE = "bookworm"

# Runtime libraries CPython's extension modules link against (checked with ldd on the pyenv
# builds), plus what the official slim image ships for TLS, time zones and /etc/services.
# passwd provides useradd/groupadd, which generated Dockerfiles run.
RUNTIME_PACKAGES = [
    "ca-certificates",
    "libbz2-1.0",
    "libexpat1",
    "libffi8",
    "liblzma5",
    "libncursesw6",
    "libnsl2",
    "libreadline8",
    "libsqlite3-0",
    "libssl3",
    "libuuid1",
    "netbase",
    "passwd",
    "tzdata",
    "zlib1g",
]

# Bump when the recipe below changes, so cached rootfs tarballs are rebuilt.
RECIPE_VERSION = 2

# Stdlib parts the official slim image does not ship (tests), or that cannot work without
# Tk libraries, which we do not install. __pycache__ from pyenv holds host paths: drop it.
STDLIB_SKIP = {"test", "tests", "idle_test", "idlelib", "tkinter", "turtledemo", "__pycache__"}

# Same image config as the official python images.
IMAGE_PATH = "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin"


def _progress(message: str) -> None:
    """Builds take a minute or more; say what is happening (visible with pytest -s)."""
    print(f"[docker_env] {message}", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    """Where base-image tarballs and wheelhouses are kept between sessions."""
    default = Path.home() / ".cache" / "ml-docker-template"
    path = Path(os.environ.get("MLDT_CACHE_DIR", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise work on one cache entry across processes (e.g. pytest-xdist workers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run(command: list[str | Path], env: dict[str, str] | None = None) -> str:
    """Run a command quietly; on failure raise with the tail of its output, which says why."""
    result = subprocess.run(
        [str(part) for part in command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    if result.returncode != 0:
        tail = "\n".join(result.stdout.splitlines()[-30:])
        raise RuntimeError(f"command failed ({result.returncode}): {command}\n{tail}")
    return result.stdout


# --- engine -----------------------------------------------------------------------------


def docker_command() -> list[str]:
    """The docker client to use, as the start of a command line.

    Debian's client (/usr/bin/docker, 20.10) has BuildKit built in, so ``DOCKER_BUILDKIT=1``
    builds with ``RUN --mount=...`` work offline. A newer client that may come first on PATH
    (v28 in /usr/local/bin) has no buildx plugin here and cannot build those Dockerfiles.
    """
    if os.access("/usr/bin/docker", os.X_OK):
        return ["/usr/bin/docker"]
    return ["docker"]


def engine_problem() -> str | None:
    """None when a Docker engine answers, else a one-line reason to skip the docker tier."""
    try:
        result = subprocess.run(
            [*docker_command(), "info"],
            capture_output=True,
            text=True,
            timeout=15,
        )
    except FileNotFoundError:
        return "no docker client installed (run .ci/install-docker.sh as root)"
    except subprocess.TimeoutExpired:
        return "docker info did not answer within 15 s"
    if result.returncode != 0:
        # The 20.10 client prints the reason as "ERROR: ..." on stdout, newer ones on stderr.
        lines = (result.stdout + "\n" + result.stderr).splitlines()
        errors = [line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR: ")]
        reason = (errors or result.stderr.strip().splitlines() or ["docker info failed"])[0]
        return f"no Docker engine answers: {reason} (run .ci/install-docker.sh as root)"
    return None


def _image_exists(tag: str) -> bool:
    result = subprocess.run([*docker_command(), "image", "inspect", tag], capture_output=True, text=True)
    return result.returncode == 0


# --- python:X.Y-slim stand-ins --------------------------------------------------------------


def ensure_python_base_image(python_version: str) -> str:
    """Make sure ``python:{python_version}-slim`` exists locally and return that tag.

    No registry is reachable, so the image is built here: Debian minbase from the host's
    mirror plus the pyenv build of the newest installed X.Y.Z, laid out like the official
    image (python in /usr/local/bin, same ENV and CMD). Tagging it with the official name lets
    tests build the generated Dockerfile unchanged. The rootfs tarball is cached, so an engine
    that lost its images re-imports in seconds instead of rebuilding (~1 minute).
    """
    if not re.fullmatch(r"\d+\.\d+", python_version):
        raise ValueError(f"expected a version like '3.11', got {python_version!r}")
    tag = f"python:{python_version}-slim"
    if _image_exists(tag):
        return tag

    images = cache_dir() / "base-images"
    # One lock for all versions: builds share debootstrap's package cache, and two at once
    # would only compete for the same CPUs anyway.
    with _file_lock(images / "build.lock"):
        if _image_exists(tag):  # another process built it while we waited
            return tag
        version_dir = _pyenv_version_dir(python_version)
        full_version = version_dir.name
        tarball = images / f"python-{full_version}-{DEBIAN_SUITE}-r{RECIPE_VERSION}.tar"
        if not tarball.exists():
            _build_rootfs_tarball(version_dir, tarball)
        _progress(f"importing {tarball.name} as {tag}")
        config = [f"ENV PATH={IMAGE_PATH}", "ENV LANG=C.UTF-8", f"ENV PYTHON_VERSION={full_version}"]
        command: list[str | Path] = [*docker_command(), "import"]
        for change in [*config, 'CMD ["python3"]']:
            command += ["--change", change]
        _run([*command, tarball, tag])
    _progress(f"{tag} ready (Python {full_version})")
    return tag


def _pyenv_version_dir(python_version: str) -> Path:
    """The pyenv build of the newest installed patch release of ``python_version``."""
    try:
        root = Path(_run(["pyenv", "root"]).strip())
    except FileNotFoundError:
        root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    pattern = re.compile(rf"{re.escape(python_version)}\.\d+")
    candidates = [
        path for path in (root / "versions").glob(f"{python_version}.*") if pattern.fullmatch(path.name)
    ]
    if not candidates:
        raise RuntimeError(f"pyenv has no Python {python_version}.x under {root}/versions")
    return max(candidates, key=lambda path: int(path.name.rsplit(".", 1)[1]))


def _debian_mirror() -> str:
    """The Debian mirror this machine's apt uses for ``DEBIAN_SUITE`` (never hard-coded).

    Reads one-line sources (``deb [opts] URI SUITE ...`` in sources.list, *.list) and deb822
    stanzas (``URIs:``/``Suites:`` in *.sources).
    """
    sources = Path("/etc/apt/sources.list")
    files = [sources] if sources.exists() else []
    files += sorted(Path("/etc/apt/sources.list.d").glob("*.list"))
    files += sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))
    for path in files:
        text = path.read_text()
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields: dict[str, list[str]] = {}
                for line in stanza.splitlines():
                    key, colon, value = line.partition(":")
                    if colon and not line.startswith(("#", " ", "\t")):
                        fields[key.strip()] = value.split()
                if (
                    "deb" in fields.get("Types", [])
                    and DEBIAN_SUITE in fields.get("Suites", [])
                    and fields.get("Enabled", ["yes"]) != ["no"]
                    and fields.get("URIs")
                ):
                    return fields["URIs"][0]
        else:
            for line in text.splitlines():
                words = re.sub(r"\[.*?\]", "", line.split("#", 1)[0]).split()
                if len(words) >= 3 and words[0] == "deb" and words[2] == DEBIAN_SUITE:
                    return words[1]
    raise RuntimeError(f"no Debian '{DEBIAN_SUITE}' mirror found in /etc/apt sources")


def _build_rootfs_tarball(version_dir: Path, tarball: Path) -> None:
    """Build the stand-in's root filesystem and write it to ``tarball``."""
    if os.geteuid() != 0:
        raise RuntimeError("building a python base image stand-in needs root (debootstrap)")
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap is missing (run .ci/install-docker.sh as root)")
    mirror = _debian_mirror()
    debs = cache_dir() / "debootstrap-debs"  # lets the second Python version skip downloads
    debs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tarball.parent) as tmp:
        rootfs = Path(tmp) / "rootfs"
        _progress(f"debootstrap {DEBIAN_SUITE} (minbase) from {mirror}")
        _run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(RUNTIME_PACKAGES)}",
                f"--cache-dir={debs}",
                DEBIAN_SUITE,
                rootfs,
                mirror,
            ]
        )
        if not (rootfs / "usr/sbin/useradd").exists():
            raise RuntimeError("useradd is missing from the debootstrapped rootfs")
        _progress(f"adding Python {version_dir.name} from {version_dir}")
        _install_python(version_dir, rootfs)
        _strip_rootfs(rootfs)
        _progress(f"writing {tarball}")
        partial = tarball.with_suffix(".partial")
        _run(["tar", "--numeric-owner", "-C", rootfs, "-cf", partial, "."])
        partial.rename(tarball)


def _install_python(version_dir: Path, rootfs: Path) -> None:
    """Copy the pyenv build into /usr/local the way the official image lays it out.

    The host's site-packages is not copied (it holds whatever the host installed); pip is
    installed fresh with ensurepip instead, as in the official image, which also gives the
    pip scripts correct shebangs (the pyenv ones point at the host's pyenv path).
    """
    minor = ".".join(version_dir.name.split(".")[:2])  # "3.11"
    prefix = rootfs / "usr/local"
    stdlib = version_dir / "lib" / f"python{minor}"

    def skip(directory: str, names: list[str]) -> set[str]:
        skipped = {
            name
            for name in names
            if name in STDLIB_SKIP
            or name.startswith("_tkinter.")
            or (name.startswith("libpython") and name.endswith(".a"))  # as the official image
        }
        if Path(directory) == stdlib / "site-packages":
            skipped |= {name for name in names if name != "README.txt"}
        return skipped

    shutil.copytree(stdlib, prefix / "lib" / f"python{minor}", ignore=skip, symlinks=True)
    for name in (f"libpython{minor}.so.1.0", f"libpython{minor}.so", "libpython3.so", "pkgconfig"):
        source = version_dir / "lib" / name
        if source.is_dir():
            shutil.copytree(source, prefix / "lib" / name, symlinks=True, dirs_exist_ok=True)
        else:
            shutil.copy2(source, prefix / "lib" / name, follow_symlinks=False)
    shutil.copytree(version_dir / "include", prefix / "include", dirs_exist_ok=True)

    bin_dir = prefix / "bin"
    for name in (f"python{minor}", f"python{minor}-config", f"pydoc{minor}", f"2to3-{minor}"):
        shutil.copy2(version_dir / "bin" / name, bin_dir / name)
        _fix_shebang(bin_dir / name, f"/usr/local/bin/python{minor}")
    for link, target in {
        "python3": f"python{minor}",
        "python": "python3",
        "python3-config": f"python{minor}-config",
        "pydoc3": f"pydoc{minor}",
        "2to3": f"2to3-{minor}",
    }.items():
        (bin_dir / link).symlink_to(target)

    # The pyenv binary's RUNPATH names the host's pyenv; find libpython via ld.so.cache.
    clean_env = {"PATH": IMAGE_PATH, "LANG": "C.UTF-8", "HOME": "/root"}
    _run(["chroot", rootfs, "ldconfig"], env=clean_env)
    _run(["chroot", rootfs, "python3", "-m", "ensurepip", "--default-pip"], env=clean_env)
    _run(["chroot", rootfs, "python3", "-m", "pip", "--version"], env=clean_env)


def _fix_shebang(script: Path, interpreter: str) -> None:
    """Point a ``#!/.../pyenv/.../python`` line at the image's interpreter."""
    content = script.read_bytes()
    if content.startswith(b"#!") and b"python" in content.split(b"\n", 1)[0]:
        body = content.split(b"\n", 1)[1]
        script.write_bytes(f"#!{interpreter}\n".encode() + body)


def _strip_rootfs(rootfs: Path) -> None:
    """Drop what the official slim image does not ship: apt caches, docs, translations, debug info."""
    for pattern in (
        "var/lib/apt/lists/*",
        "var/cache/apt/*",
        "var/cache/debconf/*-old",
        "var/log/*",
        "usr/share/doc/*",
        "usr/share/man/*",
        "usr/share/info/*",
        "usr/share/locale/*",  # debian:bookworm-slim excludes translations too
        "usr/local/lib/python*/**/__pycache__",  # the official image ships no .pyc either
    ):
        for path in list(rootfs.glob(pattern)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    # pyenv builds carry debug info; the official image links with --strip-all.
    local = rootfs / "usr/local"
    binaries = [
        path
        for pattern in ("bin/python3.*[0-9]", "lib/libpython*.so*", "lib/python3.*/lib-dynload/*.so")
        for path in local.glob(pattern)
        if not path.is_symlink()
    ]
    if shutil.which("strip"):
        _run(["strip", "--strip-unneeded", *binaries])
    else:
        _progress("strip (binutils) not found: keeping debug info, the image will be larger")


# --- wheelhouse ---------------------------------------------------------------------------


def download_wheels(requirement_files: list[Path], python_version: str) -> Path:
    """Download wheels for ``requirement_files`` on the host and return their directory.

    Containers cannot reach an index here, so builds install from this directory instead
    (see :func:`serve_directory`). pip runs with the host's configuration (a local mirror it
    consults first). The directory is cached by the requirement files' content and the
    Python version; files pulled in with ``-r``/``-c`` from inside them are not part of the
    key. Do not modify the returned directory: it is the cache.
    """
    key = hashlib.sha256(python_version.encode())
    for path in requirement_files:
        key.update(b"\0" + Path(path).read_bytes())
    wheelhouses = cache_dir() / "wheelhouses"
    wheelhouse = wheelhouses / f"py{python_version}-{key.hexdigest()[:16]}"
    with _file_lock(wheelhouses / f"{wheelhouse.name}.lock"):
        if wheelhouse.is_dir():
            return wheelhouse
        _progress(f"downloading wheels for Python {python_version} into {wheelhouse}")
        partial = wheelhouse.with_name(wheelhouse.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        # One resolution per file: the frameworks' pins need not install together. No retries:
        # an index a file names that is unreachable here (PyTorch's) is passed over at once.
        env = {**os.environ, "PIP_RETRIES": "0"}
        for path in requirement_files:
            command: list[str | Path] = [sys.executable, "-m", "pip", "download", "--only-binary=:all:"]
            command += ["--python-version", python_version, "--dest", partial, "--requirement", path]
            _run(command, env)
        partial.rename(wheelhouse)
    return wheelhouse


def simple_index(wheelhouse: Path, root: Path) -> Path:
    """Lay ``wheelhouse`` out under ``root`` as a PEP 503 "simple" index and return ``root``.

    Served with :func:`serve_directory`, its URL is what a private mirror's PIP_INDEX_URL is:
    pip asks for ``<url>/<project>/`` and follows the links on that page.
    """
    for wheel in sorted(wheelhouse.glob("*.whl")):
        project = re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()
        (root / project).mkdir(parents=True, exist_ok=True)
        os.link(wheel, root / project / wheel.name)
    for folder in root.iterdir():
        links = "".join(
            f'<a href="{wheel.name}">{wheel.name}</a><br>\n' for wheel in sorted(folder.iterdir())
        )
        (folder / "index.html").write_text(f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n")
    return root


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static file handler that does not print a line per request into the test output."""

    def log_message(self, format: str, *args: object) -> None:
        pass


class _PasswordHandler(_QuietHandler):
    """Like _QuietHandler, but answers 401 unless the request carries ``expected_auth``."""

    expected_auth = ""

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") == self.expected_auth:
            return True
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="wheels"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def do_GET(self) -> None:
        if self._authorized():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._authorized():
            super().do_HEAD()


@contextmanager
def serve_directory(directory: Path, credentials: tuple[str, str] | None = None) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port) and yield its URL.

    Loopback is the only network allowed here; builds run with ``--network host`` and reach
    it as ``--build-arg PIP_FIND_LINKS=<url>`` (the Dockerfile must declare that ARG). With
    ``credentials`` (login, password) it stands in for a private index: requests without them
    get 401, which is how tests prove that a build's credentials really reached pip.
    """
    handler_class: type[_QuietHandler] = _QuietHandler
    if credentials is not None:
        token = base64.b64encode(":".join(credentials).encode()).decode()
        handler_class = type("Handler", (_PasswordHandler,), {"expected_auth": f"Basic {token}"})
    handler = functools.partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- cleanup ------------------------------------------------------------------------------


def _is_python_base_image(tag: str) -> bool:
    return re.fullmatch(r"python:\d+\.\d+-slim", tag) is not None


def remove_images(tags: Iterable[str]) -> None:
    """Remove images a test session built; python:X.Y-slim stand-ins are always kept.

    The stand-ins take a minute to rebuild and are shared by every session, so they stay.
    Missing images are not an error.
    """
    doomed = [tag for tag in tags if not _is_python_base_image(tag)]
    if doomed:
        subprocess.run([*docker_command(), "image", "rm", "--force", *doomed], capture_output=True)


def prune_build_cache_if_disposable() -> None:
    """Drop the engine's unused build cache when MLDT_DISPOSABLE_ENGINE=1 (.ci/run sets it).

    A GPU image leaves its CUDA libraries twice in the build cache (the builder stage and the
    copy into the runtime stage: over 10 GB). On a CI machine that is thrown away afterwards
    this keeps the disk free for the tiers that follow; on a developer's engine the cache of
    their other builds is left alone.
    """
    if os.environ.get("MLDT_DISPOSABLE_ENGINE") == "1":
        subprocess.run([*docker_command(), "builder", "prune", "--force"], capture_output=True)
