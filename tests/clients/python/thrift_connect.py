"""Shared by the test clients: command-line options for the endpoint, protocol and transport, the main of a
one-shot client (call_and_report), and a socket
that remembers whether any reply byte arrived since the last request was sent (for the retry rule of
load_client.py).

Runs on Debian's /usr/bin/python3 with python3-thrift; the generated code (thrift --gen py) comes in via
PYTHONPATH, set by the test harness.
"""

import argparse
import json
import logging
import sys

from thrift.protocol import TBinaryProtocol, TCompactProtocol, TJSONProtocol
from thrift.transport import TSocket, TTransport

# TSocket logs every refused connect at ERROR; the clients report failures in their JSON instead, and a load
# run against a stopping server would otherwise flood stderr, which the harness reads for "ready".
logging.getLogger("thrift").addHandler(logging.NullHandler())
logging.getLogger("thrift").propagate = False

PROTOCOLS = {
    "binary": TBinaryProtocol.TBinaryProtocol,
    "compact": TCompactProtocol.TCompactProtocol,
    "json": TJSONProtocol.TJSONProtocol,
}

TRANSPORTS = {
    "buffered": TTransport.TBufferedTransport,
    "framed": TTransport.TFramedTransport,
}


def add_endpoint_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument("--unix", metavar="PATH", help="connect to a Unix socket instead of host:port")
    parser.add_argument("--protocol", choices=sorted(PROTOCOLS), default="binary")
    parser.add_argument("--transport", choices=sorted(TRANSPORTS), default="buffered")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="socket timeout in seconds, so that a hung server fails the client instead of hanging it")


class CountingSocket(TSocket.TSocket):
    """A TSocket that counts reply bytes since the last write and remembers which direction failed.

    The buffered and framed transports write to the socket only on flush, i.e. once per request, so
    'reply_bytes == 0' after a failure means the server sent nothing at all for the current call.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reply_bytes = 0
        self.last_op = None

    def write(self, buff):
        self.last_op = "write"
        self.reply_bytes = 0
        super().write(buff)

    def read(self, sz):
        self.last_op = "read"
        buff = super().read(sz)
        self.reply_bytes += len(buff)
        return buff


class Connection:
    """One open Thrift connection: socket, transport, protocol and a client of the given generated service."""

    def __init__(self, args, client_class):
        if args.unix:
            self.socket = CountingSocket(unix_socket=args.unix)
        else:
            self.socket = CountingSocket(host=args.host, port=args.port)
        self.socket.setTimeout(int(args.timeout * 1000))
        self.transport = TRANSPORTS[args.transport](self.socket)
        self.protocol = PROTOCOLS[args.protocol](self.transport)
        self.client = client_class(self.protocol)
        self.transport.open()

    def close(self):
        try:
            self.transport.close()
        except Exception:  # closing a broken connection must not hide the error that broke it
            pass


def call_and_report(description: str, client_class, run) -> int:
    """The main of a one-shot client: connects as the command line says, calls run(client) -> (results, errors),
    prints one JSON line {"ok", "results", "errors"} and returns the exit code (0 only when there is no error)."""
    parser = argparse.ArgumentParser(description=description)
    add_endpoint_arguments(parser)
    args = parser.parse_args()

    results, errors = {}, []
    connection = None
    try:
        connection = Connection(args, client_class)
        results, errors = run(connection.client)
    except Exception as e:  # report any failure as data; the harness asserts on the JSON
        errors.append(f"{type(e).__name__}: {e}")
    finally:
        if connection is not None:
            connection.close()

    print(json.dumps({"ok": not errors, "results": results, "errors": errors}, sort_keys=True))
    sys.stdout.flush()
    return 0 if not errors else 1
