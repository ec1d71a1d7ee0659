"""The root filesystem of a ``python:X.Y-slim`` stand-in: Debian minbase from this machine's apt
mirror, this machine's pyenv build of CPython laid out as the official image lays it out, and
nothing the official slim image does not ship (see tooling/base_image.py, which imports it).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from tooling.cache import cache_dir
from tooling.commands import progress, run

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


def build_rootfs_tarball(version_dir: Path, tarball: Path) -> None:
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
        progress(f"debootstrap {DEBIAN_SUITE} (minbase) from {mirror}")
        run(
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
        progress(f"adding Python {version_dir.name} from {version_dir}")
        _install_python(version_dir, rootfs)
        _strip_rootfs(rootfs)
        progress(f"writing {tarball}")
        partial = tarball.with_suffix(".partial")
        run(["tar", "--numeric-owner", "-C", rootfs, "-cf", partial, "."])
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
    run(["chroot", rootfs, "ldconfig"], environment=clean_env)
    run(["chroot", rootfs, "python3", "-m", "ensurepip", "--default-pip"], environment=clean_env)
    run(["chroot", rootfs, "python3", "-m", "pip", "--version"], environment=clean_env)


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
        run(["strip", "--strip-unneeded", *binaries])
    else:
        progress("strip (binutils) not found: keeping debug info, the image will be larger")
