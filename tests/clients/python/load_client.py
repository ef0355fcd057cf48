#!/usr/bin/python3
"""Load for the reload/stop/recycle tests: N connections (one thread each) call TestService add/pid for D
seconds, bounded in count and time, and count what happened.

Modes:
  default                      persistent connections; a failed call is a failure, the thread reconnects.
  --retry-once-on-idle-close   persistent connections; when the server closed the connection before any reply
                               byte of the current call arrived (EOF/error on read with zero reply bytes, or
                               ECONNRESET/EPIPE on send), reconnect and retry that call once. This is what a
                               client of a pre-fork server must do: a worker that is stopped closes idle
                               persistent connections, and the client may have sent a call meanwhile.
  --connection-per-call        a new connection for every call; never retries.

--stop-file PATH ends the run early, before the next call once PATH exists (the harness ends a run when its
operations are done). With --calls-after-stop N each connection first makes N more calls after it sees PATH (so a
harness knows every connection called at least once after its operations, e.g. on a connection a reload closed).

Prints "ready" on stderr once every connection finished its first call, then at the end one JSON line on
stdout: {"calls", "failures", "retries", "pids": {pid: count}, "errors": [first 5], "connection_calls_min", ...}
(connection_calls_min: the fewest calls answered on any one connection thread, 0 if one got none). Exit code 0 when the
run completed (failures are data for the harness to judge), 2 on bad arguments.
"""

import argparse
import errno
import json
import os
import sys
import threading
import time

from thrift.Thrift import TException
from thrift.transport.TTransport import TTransportException

from testapp import TestService
from thrift_connect import Connection, add_endpoint_arguments

MAX_DURATION_S = 300.0
MAX_ERRORS = 5
IDLE_CLOSE_ERRNOS = (errno.ECONNRESET, errno.EPIPE)
FAILURE_PAUSE_S = 0.01


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = 0
        self.failures = 0
        self.retries = 0
        self.connects = 0
        self.pids = {}
        self.errors = []
        self.per_thread = {}

    def add_error(self, text):
        with self.lock:
            self.failures += 1
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(text)

    def add_connect(self):
        with self.lock:
            self.connects += 1

    def add_call(self, pid=None, retried=False):
        with self.lock:
            self.calls += 1
            ident = threading.get_ident()
            self.per_thread[ident] = self.per_thread.get(ident, 0) + 1
            if retried:
                self.retries += 1
            if pid is not None:
                self.pids[pid] = self.pids.get(pid, 0) + 1


def inner_errno(exc):
    """The errno behind a failed socket operation, whether raised raw or wrapped by TSocket."""
    if isinstance(exc, OSError):
        return exc.errno
    inner = getattr(exc, "inner", None)
    if isinstance(inner, OSError):
        return inner.errno
    return None


def is_idle_close(exc, sock):
    """True when the server closed the connection before sending any byte of this call's reply."""
    if not isinstance(exc, (TTransportException, OSError)):
        return False
    if sock is None or sock.reply_bytes != 0:
        return False
    if sock.last_op == "read":
        return True
    return inner_errno(exc) in IDLE_CLOSE_ERRNOS


def describe(exc, sock):
    where = f" during {sock.last_op}, reply_bytes={sock.reply_bytes}" if sock is not None else ""
    code = inner_errno(exc)
    return f"{type(exc).__name__}: {exc}{' errno=' + errno.errorcode.get(code, str(code)) if code else ''}{where}"


def one_call(client, method, i):
    """Makes one call and checks its answer; returns the worker pid for pid calls."""
    if method == "add":
        result = client.add(i, 1)
        if result != i + 1:
            raise ValueError(f"add({i}, 1) returned {result}")
        return None
    result = client.pid()
    if result <= 0:
        raise ValueError(f"pid() returned {result}")
    return result


def method_for(args, i):
    if args.method == "mixed":
        return "add" if i % 2 == 0 else "pid"
    return args.method


def worker_loop(args, stats, deadline, first_call_done):
    connection = None
    calls_left_after_stop = None
    try:
        for i in range(args.max_calls):
            if i > 0 and time.monotonic() >= deadline:
                break
            if calls_left_after_stop is None and args.stop_file and os.path.exists(args.stop_file):
                calls_left_after_stop = args.calls_after_stop
            if calls_left_after_stop is not None:
                if calls_left_after_stop == 0:
                    break
                calls_left_after_stop -= 1
            method = method_for(args, i)
            if args.connection_per_call:
                try:
                    connection = Connection(args, TestService.Client)
                    stats.add_connect()
                    stats.add_call(one_call(connection.client, method, i))
                except (TException, OSError, ValueError) as e:
                    stats.add_error(describe(e, connection.socket if connection else None))
                    if args.pause_ms <= 0:
                        time.sleep(FAILURE_PAUSE_S)  # don't spin on a server that refuses connections
                finally:
                    if connection is not None:
                        connection.close()
                        connection = None
            else:
                connection = persistent_call(args, stats, connection, method, i)
            if i == 0:
                first_call_done()
            if args.pause_ms > 0:
                time.sleep(args.pause_ms / 1000.0)
            elif connection is None and not args.connection_per_call:
                # The last call failed and left no connection: don't spin on a server that refuses connections.
                time.sleep(FAILURE_PAUSE_S)
    finally:
        if connection is not None:
            connection.close()


def persistent_call(args, stats, connection, method, i):
    """One call on the thread's persistent connection; returns the connection to use next (None: reconnect)."""
    try:
        if connection is None:
            connection = Connection(args, TestService.Client)
            stats.add_connect()
        stats.add_call(one_call(connection.client, method, i))
        return connection
    except (TException, OSError, ValueError) as e:
        sock = connection.socket if connection else None
        if connection is not None:
            connection.close()
        if not (args.retry_once_on_idle_close and connection is not None and is_idle_close(e, sock)):
            stats.add_error(describe(e, sock))
            return None
    # The server closed the idle connection under us: the call was never answered, retry it once.
    retry = None
    try:
        retry = Connection(args, TestService.Client)
        stats.add_connect()
        stats.add_call(one_call(retry.client, method, i), retried=True)
        return retry
    except (TException, OSError, ValueError) as e:
        stats.add_error("after retry: " + describe(e, retry.socket if retry else None))
        if retry is not None:
            retry.close()
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_endpoint_arguments(parser)
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (threads)")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds to keep calling")
    parser.add_argument("--max-calls", type=int, default=100000, help="upper bound of calls per connection")
    parser.add_argument("--pause-ms", type=float, default=0.0, help="pause between calls of one connection")
    parser.add_argument("--method", choices=["add", "pid", "mixed"], default="mixed")
    parser.add_argument("--stop-file", metavar="PATH", help="stop before the next call once this file exists")
    parser.add_argument("--calls-after-stop", type=int, default=0, metavar="N",
                        help="calls each connection still makes after it sees the stop file")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--retry-once-on-idle-close", action="store_true")
    mode.add_argument("--connection-per-call", action="store_true")
    args = parser.parse_args()
    if not 0 < args.duration <= MAX_DURATION_S or args.connections < 1 or args.max_calls < 1 \
            or args.calls_after_stop < 0:
        parser.error(f"need 0 < duration <= {MAX_DURATION_S}, connections >= 1, max-calls >= 1, calls-after-stop >= 0")

    stats = Stats()
    started = time.monotonic()
    deadline = started + args.duration

    pending = [args.connections]
    pending_lock = threading.Lock()

    def first_call_done():
        with pending_lock:
            pending[0] -= 1
            if pending[0] == 0:
                print("ready", file=sys.stderr, flush=True)

    threads = [threading.Thread(target=worker_loop, args=(args, stats, deadline, first_call_done), daemon=True)
               for _ in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        # Each call is bounded by the socket timeout, so a thread ends soon after the deadline.
        t.join(args.duration + 4 * args.timeout + 5)
    hung = sum(1 for t in threads if t.is_alive())
    if hung:
        stats.add_error(f"{hung} connection thread(s) still running after the deadline")

    print(json.dumps({
        "calls": stats.calls,
        "failures": stats.failures,
        "retries": stats.retries,
        "connects": stats.connects,
        "pids": {str(pid): n for pid, n in sorted(stats.pids.items())},
        "errors": stats.errors,
        "connection_calls_min": min(stats.per_thread.values())
        if len(stats.per_thread) == args.connections else 0,
        "elapsed": round(time.monotonic() - started, 3),
        "mode": "connection-per-call" if args.connection_per_call
        else "retry-once-on-idle-close" if args.retry_once_on_idle_close else "persistent",
    }, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
