"""Ports on 127.0.0.1, the only network these machines may use."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback port nothing listens on now: for a server to start on, or to be refused on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
