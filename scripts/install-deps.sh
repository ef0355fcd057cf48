#!/usr/bin/env bash
# Installs the Debian packages that building and testing Tunicorn need, and only those that are missing:
#   thrift-compiler  `thrift`, which generates C# (at build time) and Python (in the tests) from the IDLs
#   python3-thrift   the Apache Thrift Python library for /usr/bin/python3, used by the test clients
#   zookeeper        ZooKeeper 3.8 jars (and a Java runtime): the tests start real servers from them; not
#                    zookeeperd, which would start a system daemon on port 2181
#   etcd-server      etcd 3.4, started by the registry tests on loopback; etcd-client gives them etcdctl
#   python3-kazoo    an independent ZooKeeper client the registry tests check registrations with
#   haproxy          the load balancer the PROXY protocol tests put in front of a server (started by the
#                    test itself on free loopback ports, in the foreground, and stopped by its pid)
#   systemd          systemd-socket-activate (passes a listening socket to the server, as a .socket unit does)
#                    and systemd-analyze (verifies the unit files of the docs); nothing is started as a daemon
#   iproute2         ss, with which the socket activation tests see which socket listens on a port
#   prometheus       the Prometheus server (started by the metrics tests on a free loopback port to scrape the admin
#                    endpoint; not as a daemon) and promtool, which checks /metrics
#   python3-prometheus-client  the Python parser of the Prometheus and OpenMetrics text formats, for /metrics
# Idempotent: with everything present it changes nothing and needs no network. Uses sudo only when not root.
set -euo pipefail

packages=(thrift-compiler python3-thrift zookeeper etcd-server etcd-client python3-kazoo haproxy systemd iproute2 prometheus python3-prometheus-client)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: ${packages[*]} already installed"
else
    sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        sudo=(sudo)
    fi
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v dotnet >/dev/null 2>&1; then
    echo "install-deps: warning: the .NET SDK (dotnet) is not on PATH; Tunicorn needs .NET 10 to build" >&2
fi
