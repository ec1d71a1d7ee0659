#!/usr/bin/env bash
# Install and start a Docker engine for the "docker" test tier (run as root; idempotent).
#
# Facts this relies on (see the project's ENVIRONMENT notes):
# - Only a docker v28 *client* without buildx may be on PATH; no engine runs.
# - Debian's docker.io gives an engine plus its 20.10 client at /usr/bin/docker, which builds
#   with BuildKit (DOCKER_BUILDKIT=1) offline.
# - Networking is loopback-only, so dockerd runs without a bridge and without touching iptables.
# - debootstrap is needed to build local stand-ins for the python:X.Y-slim base images.
set -euo pipefail

LOG=/tmp/dockerd.log
WAIT_SECONDS=60

log() { echo "[install-docker] $*"; }

missing_packages() {
    local pkg
    for pkg in docker.io debootstrap; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    done
}

install_packages() {
    local created_policy=0
    # Never let package scripts start a daemon with default (bridged, iptables) networking.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        created_policy=1
    fi
    log "installing: $*"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
}

# The client that talks to the engine: Debian's when present, else whatever is on PATH.
client() {
    if [ -x /usr/bin/docker ]; then /usr/bin/docker "$@"; else docker "$@"; fi
}

engine_answers() { client info >/dev/null 2>&1; }

start_engine() {
    log "starting dockerd (no bridge, no iptables), log: $LOG"
    setsid nohup dockerd --bridge=none --iptables=false --ip-masq=false >"$LOG" 2>&1 </dev/null &
    local waited=0
    until engine_answers; do
        if [ "$waited" -ge "$WAIT_SECONDS" ]; then
            log "ERROR: engine did not answer within ${WAIT_SECONDS}s; last lines of $LOG:"
            tail -n 30 "$LOG" >&2 || true
            exit 1
        fi
        if [ $((waited % 5)) -eq 0 ]; then log "waiting for the engine (${waited}s)"; fi
        sleep 1
        waited=$((waited + 1))
    done
    log "engine answers after ${waited}s"
}

report_clients() {
    local path
    log "docker clients on PATH (first one wins for a plain 'docker'):"
    for path in $(type -ap docker | xargs -n1 readlink -f | awk '!seen[$0]++'); do
        log "  $path: $("$path" --version 2>&1)"
    done
    if [ -x /usr/bin/docker ]; then
        log "use /usr/bin/docker (with DOCKER_BUILDKIT=1) for builds: it has BuildKit built in"
    else
        log "WARNING: /usr/bin/docker (Debian 20.10 client) is missing; BuildKit builds may fail"
    fi
    log "engine: $(client version --format '{{.Server.Version}}' 2>&1)"
}

main() {
    local missing
    missing=$(missing_packages)
    if engine_answers && [ -z "$missing" ]; then
        log "engine already answers and packages are installed; nothing to do"
    else
        if [ "$(id -u)" != 0 ]; then log "ERROR: run as root (installs packages, starts dockerd)"; exit 1; fi
        # shellcheck disable=SC2086  # one package name per word
        if [ -n "$missing" ]; then install_packages $missing; fi
        if engine_answers; then log "engine already answers"; else start_engine; fi
    fi
    report_clients
}

main "$@"
