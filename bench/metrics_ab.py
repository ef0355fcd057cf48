#!/usr/bin/env python3
"""What the metrics cost, measured on two servers started once (bench/metrics-ab.sh runs this; see its comment).

Both servers (metrics on, the default, and --no-metrics) are started once and warmed up; then they are loaded in many
short windows, one server at a time, in the order ON OFF OFF ON ON OFF ... so that the machine's other load and any
drift fall on both sides alike. Each window is one LoadGen run with --json: the workers' CPU is read from /proc at its
@measure-start and @measure-end markers, so it covers exactly the calls LoadGen counted (no start-up, no JIT, no
LoadGen warm-up). CPU comes from /proc/PID/task/*/schedstat (nanoseconds on the CPU, summed over the threads), which
has a far finer grain than the 10 ms clock ticks of /proc/PID/stat; a thread that ends inside a window loses its last
moments from the count (thread-pool threads rarely end under steady load).
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.environ.get("ARTIFACTS_PATH", os.path.join(ROOT, "artifacts"))
TUNICORN = os.environ.get("TUNICORN_CLI", os.path.join(ARTIFACTS, "bin/Tunicorn.Cli/release/tunicorn"))
LOADGEN = os.path.join(ARTIFACTS, "bin/LoadGen/release/LoadGen")
APP = os.path.join(ARTIFACTS, "bin/Calculator/release/Calculator.dll")
WINDOWS = int(os.environ.get("WINDOWS", "24"))
DURATION = float(os.environ.get("DURATION", "3"))
WARMUP = float(os.environ.get("WARMUP", "20"))
WARMUP_MAX = float(os.environ.get("WARMUP_MAX", "120"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "64"))
WORKERS = int(os.environ.get("WORKERS", "2"))
WORKER_CLASS = os.environ.get("WORKER_CLASS", "async")
# With BASE_CLI set, the two sides are two builds instead: TUNICORN ("new") against BASE_CLI ("base"), metrics on in
# both, for a change to the call path measured the same way.
BASE_CLI = os.environ.get("BASE_CLI")
A, B = ("new", "base") if BASE_CLI else ("on", "off")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def thread_cpu_ns(pid, only=None):
    """{thread id: nanoseconds on the CPU} of the threads of the process alive now (only: those whose name starts so)."""
    threads = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return threads
    for tid in tasks:
        try:
            if only is not None:
                with open(f"/proc/{pid}/task/{tid}/comm") as f:
                    if not f.read().startswith(only):
                        continue
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                threads[(pid, tid)] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return threads


def cpu_ns_between(before, after):
    """CPU of the threads between two readings: a thread born between them counts from zero; one that ended between
    them counts nothing (its last moments are lost, rather than its whole life subtracted)."""
    return sum(ns - before.get(tid, 0) for tid, ns in after.items())


# The runtime's background JIT of tiered compilation (tier 1, PGO): its thread exits when idle. A warm server has none.
TIERING_THREAD = ".NET Tiered"


class Server:
    def __init__(self, label, cli, extra, logs):
        self.label = label
        self.port = free_port()
        self.out = open(os.path.join(logs, f"{label}.log"), "w")
        self.process = subprocess.Popen(
            [cli, APP, "-b", f"127.0.0.1:{self.port}", "-w", str(WORKERS), "-k", WORKER_CLASS,
             "--thrift-transport-factory", "framed", "--no-control-socket", *extra],
            stdout=self.out, stderr=subprocess.STDOUT)
        self.workers = []

    def wait_ready(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"metrics-ab: the {self.label} server exited ({self.process.returncode}); see {self.out.name}")
            probe = subprocess.run([LOADGEN, "--port", str(self.port), "--transport", "framed", "--call", "add",
                                    "--connections", "1", "--warmup", "0", "--duration", "0.1"], capture_output=True)
            if probe.returncode == 0 and len(children(self.process.pid)) >= WORKERS:
                self.workers = children(self.process.pid)
                return
            time.sleep(0.1)
        sys.exit(f"metrics-ab: the {self.label} server did not answer within 60 s")

    def workers_cpu(self, only=None):
        now = children(self.process.pid)
        if sorted(now) != sorted(self.workers):
            sys.exit(f"metrics-ab: the {self.label} server's workers changed ({self.workers} -> {now}); a window would mix them")
        threads = {}
        for worker in now:
            threads.update(thread_cpu_ns(worker, only))
        return threads

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.out.close()


def window(server, duration, warmup=0.5):
    """One LoadGen run against the server: (calls/s, calls, worker CPU ns over the measured part, master CPU ns,
    LoadGen CPU s, background JIT CPU ns of the workers)."""
    load = subprocess.Popen([LOADGEN, "--port", str(server.port), "--transport", "framed", "--call", "add",
                             "--connections", str(CONNECTIONS), "--warmup", str(warmup), "--duration", str(duration),
                             "--json"], stdout=subprocess.PIPE, text=True)
    start = end = master_start = master_end = jit_start = jit_end = None
    result = None
    for line in load.stdout:
        if line.startswith("@measure-start"):
            start, master_start, jit_start = server.workers_cpu(), thread_cpu_ns(server.process.pid), server.workers_cpu(TIERING_THREAD)
        elif line.startswith("@measure-end"):
            end, master_end, jit_end = server.workers_cpu(), thread_cpu_ns(server.process.pid), server.workers_cpu(TIERING_THREAD)
        elif line.startswith("@result "):
            result = json.loads(line[len("@result "):])
    if load.wait() != 0 or result is None or start is None or end is None:
        sys.exit(f"metrics-ab: LoadGen against the {server.label} server failed ({load.returncode})")
    if result["errors"]:
        sys.exit(f"metrics-ab: {result['errors']} errors against the {server.label} server: {result['first_errors']}")
    return (result["calls_per_second"], result["calls"], cpu_ns_between(start, end), cpu_ns_between(master_start, master_end),
            result["load_gen_cpu_seconds"], cpu_ns_between(jit_start, jit_end))


def spread(values):
    values = sorted(values)
    q = statistics.quantiles(values, n=4) if len(values) >= 2 else [values[0]] * 3
    return f"median {statistics.median(values):.4g}, quartiles {q[0]:.4g}-{q[2]:.4g}, range {values[0]:.4g}-{values[-1]:.4g}"


def main():
    for path in (TUNICORN, LOADGEN, APP, *([BASE_CLI] if BASE_CLI else [])):
        if not os.path.exists(path):
            sys.exit(f"metrics-ab: {path} is missing; build the solution in Release first")
    logs = subprocess.run(["mktemp", "-d", "/tmp/tunicorn-metrics-ab-XXXXXX"], capture_output=True, text=True).stdout.strip()
    print(f"metrics-ab: {WINDOWS} windows of {DURATION} s after {WARMUP} s warm-up each, {CONNECTIONS} connections, "
          f"{WORKERS} {WORKER_CLASS} workers; logs in {logs}")
    print(f"uptime before: {uptime()}")
    if BASE_CLI:
        print(f"{A}: {TUNICORN}\n{B}: {BASE_CLI}")
    on = Server(A, TUNICORN, [], logs)
    off = Server(B, BASE_CLI, [], logs) if BASE_CLI else Server(B, TUNICORN, ["--no-metrics"], logs)
    try:
        on.wait_ready()
        off.wait_ready()
        # Warm-up: JIT, tiered compilation (tier 0, OSR, PGO-instrumented, tier 1) and the thread pool's growth settle
        # under load, in 3 s slices alternating between the servers, until both servers' background JIT was quiet in
        # their last two slices (on a loaded machine it gets little CPU and takes far longer than on a quiet one), for
        # at least WARMUP s and at most WARMUP_MAX s.
        begun = time.monotonic()
        quiet = {A: 0, B: 0}
        i = 0
        while True:
            for server in (on, off) if i % 2 == 0 else (off, on):
                rate, calls, worker_ns, _, _, jit_ns = window(server, 3, warmup=0)
                # Quiet: the background JIT took under 0.5 % of the workers' CPU of the slice. It never stops entirely:
                # under steady load it still runs a few ms every few seconds (seen on both sides alike).
                quiet[server.label] = quiet[server.label] + 1 if jit_ns <= 0.005 * worker_ns else 0
                print(f"warm-up {server.label}: {rate:.0f} calls/s, {worker_ns / 1000 / calls:.3f} us worker CPU a call, "
                      f"background JIT {jit_ns / 1e6:.1f} ms", flush=True)
            i += 1
            elapsed = time.monotonic() - begun
            if (elapsed >= WARMUP and min(quiet.values()) >= 2) or elapsed >= WARMUP_MAX:
                break
        print(f"warmed up for {time.monotonic() - begun:.0f} s; background JIT quiet for {quiet[A]} ({A}) and {quiet[B]} ({B}) slices")
        rows = {A: [], B: []}
        pairs = []
        for i in range(WINDOWS):
            order = (on, off) if i % 4 in (0, 3) else (off, on)
            pair = {}
            for server in order:
                rate, calls, worker_ns, master_ns, loadgen_s, jit_ns = window(server, DURATION)
                row = {"rate": rate, "calls": calls, "cpu_us": worker_ns / 1000 / calls,
                       "master_us": master_ns / 1000 / calls, "loadgen_us": loadgen_s * 1e6 / calls, "jit_ns": jit_ns}
                rows[server.label].append(row)
                pair[server.label] = row
                print(f"window {i + 1:2d} {server.label:4s}: {rate:9.0f} calls/s  {row['cpu_us']:.3f} us worker CPU a call  "
                      f"(master {row['master_us'] * 1000:.1f} ns, LoadGen {row['loadgen_us']:.2f} us a call; "
                      f"background JIT {jit_ns / 1e6:.1f} ms)", flush=True)
            pairs.append(pair)
        print(f"uptime after: {uptime()}")
        print()
        for label in (A, B):
            print(f"{label:4s}: calls/s {spread([r['rate'] for r in rows[label]])}")
            print(f"            worker CPU a call (us) {spread([r['cpu_us'] for r in rows[label]])}")
        m_rate = statistics.median(r["rate"] for r in rows[A]) / statistics.median(r["rate"] for r in rows[B])
        m_cpu = statistics.median(r["cpu_us"] for r in rows[B]) / statistics.median(r["cpu_us"] for r in rows[A])
        pair_rate = [p[A]["rate"] / p[B]["rate"] for p in pairs]
        pair_cpu = [p[B]["cpu_us"] / p[A]["cpu_us"] for p in pairs]
        diff_ns = [(p[A]["cpu_us"] - p[B]["cpu_us"]) * 1000 for p in pairs]
        print(f"calls/s {A}/{B}: ratio of medians {m_rate:.4f}; per pair {spread(pair_rate)}")
        print(f"worker CPU a call {B}/{A} (calls/s the same CPU buys, {A} relative to {B}): ratio of medians {m_cpu:.4f}; "
              f"per pair {spread(pair_cpu)}")
        print(f"worker CPU a call {A} - {B}, per pair (ns): {spread(diff_ns)}")
        for label in (A, B):
            print(f"background JIT while measuring, {label}: {sum(r['jit_ns'] for r in rows[label]) / 1e6:.1f} ms in "
                  f"{sum(1 for r in rows[label] if r['jit_ns'])} of {len(rows[label])} windows")
    finally:
        on.stop()
        off.stop()


if __name__ == "__main__":
    main()
