#!/usr/bin/env bash
# Starts a throwaway ZooKeeper on loopback, the way tests/Tunicorn.ZooKeeper.Tests does: one standalone server,
# or an ensemble of N servers (N odd, e.g. 3), on free ports, with data in a temporary directory, a 200 ms tick
# (sessions of 0.4-20 s) and 128 MB heaps. Prints the connect string, then runs in the foreground until Ctrl-C,
# when it kills the servers it started (by pid) and deletes their data.
#   scripts/zookeeper-test-env.sh [servers]
# Needs Debian's `zookeeper` package (apt-get install -y zookeeper; it pulls in a Java runtime) and python3.
set -euo pipefail

servers="${1:-1}"
if ! [[ "$servers" =~ ^[1-9][0-9]?$ ]]; then
    echo "usage: $0 [servers]  (1 for a standalone server, 3 or 5 for an ensemble)" >&2
    exit 2
fi

jar=/usr/share/java/zookeeper.jar
if [[ ! -f "$jar" ]]; then
    echo "zookeeper-test-env: $jar is missing; install Debian's package: apt-get install -y zookeeper" >&2
    exit 1
fi
classpath="$jar"
[[ -f /usr/share/java/slf4j-simple.jar ]] && classpath="$classpath:/usr/share/java/slf4j-simple.jar"
java="${JAVA:-java}"

# Free loopback ports below the ephemeral range (so that no outgoing connection holds one when a server restarts).
mapfile -t ports < <(python3 - "$((servers * 3))" <<'PY'
import random, socket, sys
wanted, found = int(sys.argv[1]), []
while len(found) < wanted:
    port = random.randint(12000, 19999)
    if port in found:
        continue
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    found.append(port)
print("\n".join(map(str, found)))
PY
)

root="$(mktemp -d "${TMPDIR:-/tmp}/tunicorn-zk-env.XXXXXX")"
pids=()
sleeper=""
cleanup() {
    [[ -n "$sleeper" ]] && kill "$sleeper" 2>/dev/null
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

quorum=""
if ((servers > 1)); then
    for ((id = 1; id <= servers; id++)); do
        quorum+="server.$id=127.0.0.1:${ports[$((servers + 2 * (id - 1)))]}:${ports[$((servers + 2 * (id - 1) + 1))]}"$'\n'
    done
fi

connect=()
for ((id = 1; id <= servers; id++)); do
    dir="$root/server$id"
    mkdir -p "$dir/data"
    echo "$id" > "$dir/data/myid"
    port="${ports[$((id - 1))]}"
    cat > "$dir/zoo.cfg" <<CFG
tickTime=200
initLimit=20
syncLimit=10
maxSessionTimeout=20000
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=*
forceSync=no
preAllocSize=1024
$quorum
CFG
    "$java" -Xmx128m -Xms32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true \
        -Dzookeeper.admin.enableServer=false -Dorg.slf4j.simpleLogger.logFile="$dir/server.log" \
        -Dorg.slf4j.simpleLogger.showDateTime=true -cp "$classpath" \
        org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" >"$dir/console.log" 2>&1 &
    pids+=("$!")
    connect+=("127.0.0.1:$port")
done

# Serving once "srvr" reports a mode (standalone, leader or follower); deadline 90 s.
for ((id = 1; id <= servers; id++)); do
    port="${ports[$((id - 1))]}"
    mode=""
    for ((attempt = 0; attempt < 900; attempt++)); do
        mode="$(python3 - "$port" <<'PY' || true
import socket, sys
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2) as s:
        s.sendall(b"srvr")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    for line in data.decode().splitlines():
        if line.startswith("Mode: "):
            print(line[6:])
except OSError:
    pass
PY
)"
        [[ -n "$mode" ]] && break
        if ! kill -0 "${pids[$((id - 1))]}" 2>/dev/null; then
            echo "zookeeper-test-env: server $id exited; see $root/server$id/server.log" >&2
            tail -n 20 "$root/server$id/server.log" "$root/server$id/console.log" >&2 || true
            exit 1
        fi
        sleep 0.1
    done
    if [[ -z "$mode" ]]; then
        echo "zookeeper-test-env: server $id not serving after 90 s; see $root/server$id/server.log" >&2
        exit 1
    fi
    echo "server $id: 127.0.0.1:$port ($mode, pid ${pids[$((id - 1))]}, log $root/server$id/server.log)"
done

(IFS=,; echo "connect string: ${connect[*]}")
echo "Ctrl-C stops the servers and deletes their data."
# Waits in `wait`, which a signal interrupts at once (a foreground sleep would delay the trap until it ends).
while true; do
    sleep 3600 &
    sleeper=$!
    wait "$sleeper" || true
done
