#!/usr/bin/python3
"""Calls every method of Apache Thrift's ThriftTest service (and SecondService) and checks the reference answers,
like Apache Thrift's own cross-language test client (test/py/TestClient.py), for one or more cells of
protocol x transport. The cells run at the same time, each on its own connection.

Prints one JSON line: {"ok": bool, "cells": {"binary:buffered": {"ok": bool, "calls": N, "errors": [...]}, ...}}.
Exit code 0 only when every cell passed.
"""

import argparse
import json
import ssl
import sys
import threading
import time

from thrift.protocol import TMultiplexedProtocol
from thrift.Thrift import TApplicationException
from thrift.transport import TSocket, TSSLSocket

from thrift_connect import PROTOCOLS, TRANSPORTS
from ThriftTest import SecondService, ThriftTest
from ThriftTest.ttypes import Insanity, Numberz, Xception, Xception2, Xtruct, Xtruct2

ALL_CELLS = [f"{p}:{t}" for p in ("binary", "compact", "json") for t in ("buffered", "framed")]


class Checker:
    def __init__(self):
        self.calls = 0
        self.errors = []

    def equal(self, name, actual, expected):
        self.calls += 1
        if actual != expected:
            self.errors.append(f"{name}: expected {expected!r}, got {actual!r}")

    def raises(self, name, call, exception_type, check=None):
        self.calls += 1
        try:
            value = call()
        except exception_type as e:
            if check is not None and not check(e):
                self.errors.append(f"{name}: unexpected {type(e).__name__} {e!r}")
            return
        self.errors.append(f"{name}: expected {exception_type.__name__}, got {value!r}")


def run_thrifttest(client, check: Checker) -> None:
    client.testVoid()
    check.calls += 1
    check.equal("testString", client.testString("Python"), "Python")
    check.equal("testString_empty", client.testString(""), "")
    check.equal("testString_unicode", client.testString("Ωμέγα ✓ 漢字"), "Ωμέγα ✓ 漢字")
    check.equal("testBool_true", client.testBool(True), True)
    check.equal("testBool_false", client.testBool(False), False)
    check.equal("testByte", client.testByte(63), 63)
    check.equal("testByte_negative", client.testByte(-127), -127)
    check.equal("testI32", client.testI32(-1), -1)
    check.equal("testI32_max", client.testI32(2**31 - 1), 2**31 - 1)
    check.equal("testI64", client.testI64(-34359738368), -34359738368)
    check.equal("testI64_min", client.testI64(-(2**63)), -(2**63))
    check.equal("testDouble", client.testDouble(-5.235098235), -5.235098235)
    check.equal("testDouble_tiny", client.testDouble(-5.25e-302), -5.25e-302)
    check.equal("testBinary", client.testBinary(bytes(range(256))), bytes(range(256)))
    check.equal("testBinary_empty", client.testBinary(b""), b"")

    xtruct = Xtruct(string_thing="Zero", byte_thing=1, i32_thing=-3, i64_thing=-5)
    check.equal("testStruct", client.testStruct(xtruct), xtruct)
    nest = Xtruct2(byte_thing=1, struct_thing=xtruct, i32_thing=5)
    check.equal("testNest", client.testNest(nest), nest)
    check.equal("testMap", client.testMap({0: 1, 1: 2, 2: 3, 3: 4, -1: -2}), {0: 1, 1: 2, 2: 3, 3: 4, -1: -2})
    check.equal("testStringMap", client.testStringMap({"a": "2", "b": "blah", "some": "thing", "": ""}),
                {"a": "2", "b": "blah", "some": "thing", "": ""})
    check.equal("testSet", client.testSet({1, 2, 3, -4}), {1, 2, 3, -4})
    check.equal("testList", client.testList([1, 2, 3, 4, 5, -6]), [1, 2, 3, 4, 5, -6])
    check.equal("testList_empty", client.testList([]), [])
    check.equal("testEnum", client.testEnum(Numberz.FIVE), Numberz.FIVE)
    check.equal("testEnum_eight", client.testEnum(Numberz.EIGHT), Numberz.EIGHT)
    check.equal("testTypedef", client.testTypedef(309858235082523), 309858235082523)
    check.equal("testMapMap", client.testMapMap(1),
                {-4: {-4: -4, -3: -3, -2: -2, -1: -1}, 4: {1: 1, 2: 2, 3: 3, 4: 4}})

    argument = Insanity(userMap={Numberz.FIVE: 5, Numberz.EIGHT: 8},
                        xtructs=[Xtruct(string_thing="Goodbye4", byte_thing=4, i32_thing=4, i64_thing=4),
                                 Xtruct(string_thing="Hello2", byte_thing=2, i32_thing=2, i64_thing=2)])
    check.equal("testInsanity", client.testInsanity(argument),
                {1: {Numberz.TWO: argument, Numberz.THREE: argument}, 2: {Numberz.SIX: Insanity()}})

    check.equal("testMulti", client.testMulti(1, 2, 3, {1: "one"}, Numberz.FIVE, 5),
                Xtruct(string_thing="Hello2", byte_thing=1, i32_thing=2, i64_thing=3))

    check.raises("testException_Xception", lambda: client.testException("Xception"), Xception,
                 lambda e: e.errorCode == 1001 and e.message == "Xception")
    # An undeclared exception in the handler reaches the client as a TApplicationException.
    check.raises("testException_TException", lambda: client.testException("TException"), TApplicationException)
    check.equal("testException_success", client.testException("success"), None)
    check.raises("testMultiException_Xception", lambda: client.testMultiException("Xception", "test 1"), Xception,
                 lambda e: e.errorCode == 1001 and e.message == "This is an Xception")
    check.raises("testMultiException_Xception2", lambda: client.testMultiException("Xception2", "test 2"), Xception2,
                 lambda e: e.errorCode == 2002 and e.struct_thing.string_thing == "This is an Xception2")
    check.equal("testMultiException_success", client.testMultiException("success", "test 3"), Xtruct(string_thing="test 3"))

    # Oneway: the call returns as soon as it is sent, although the server sleeps a second; the call after it
    # proves the connection is still in step (no stray reply in the stream).
    started = time.monotonic()
    client.testOneway(1)
    sent = time.monotonic() - started
    check.calls += 1
    if sent > 0.9:
        check.errors.append(f"testOneway: took {sent:.2f}s to return; a oneway call must not wait for the server")
    check.equal("testI32_after_oneway", client.testI32(-1), -1)


def open_socket(args, port):
    if not args.ssl:
        socket = TSocket.TSocket(host=args.host, port=port)
    else:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=args.ca)
        context.check_hostname = False
        if args.cert:
            context.load_cert_chain(args.cert, args.key)
        socket = TSSLSocket.TSSLSocket(host=args.host, port=port, ssl_context=context)
    socket.setTimeout(int(args.timeout * 1000))
    return socket


def run_cell(args, cell: str, report: dict) -> None:
    wire, _, port = cell.partition("@")
    protocol_name, transport_name = wire.split(":")
    check = Checker()
    transport = None
    try:
        transport = TRANSPORTS[transport_name](open_socket(args, int(port) if port else args.port))
        protocol = PROTOCOLS[protocol_name](transport)
        transport.open()
        if args.multiplexed:
            client = ThriftTest.Client(TMultiplexedProtocol.TMultiplexedProtocol(protocol, "ThriftTest"))
            second = SecondService.Client(TMultiplexedProtocol.TMultiplexedProtocol(protocol, "SecondService"))
            check.equal("secondtestString", second.secondtestString("foo"), 'testString("foo")')
        else:
            client = ThriftTest.Client(protocol)
        run_thrifttest(client, check)
        if args.multiplexed:
            check.equal("secondtestString_again", second.secondtestString("bar"), 'testString("bar")')
    except Exception as e:  # report any failure as data; the harness asserts on the JSON
        check.errors.append(f"{type(e).__name__}: {e}")
    finally:
        if transport is not None:
            try:
                transport.close()
            except Exception:
                pass
    report[cell] = {"ok": not check.errors, "calls": check.calls, "errors": check.errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument("--cells", default=",".join(ALL_CELLS),
                        help="comma-separated PROTOCOL:TRANSPORT[@PORT] cells, e.g. binary:buffered,json:framed@9091;"
                             " a cell without a port uses --port")
    parser.add_argument("--multiplexed", action="store_true",
                        help="call ThriftTest and SecondService through TMultiplexedProtocol on one connection")
    parser.add_argument("--ssl", action="store_true", help="connect over TLS")
    parser.add_argument("--ca", help="CA certificates that sign the server's certificate (PEM)")
    parser.add_argument("--cert", help="client certificate (PEM)")
    parser.add_argument("--key", help="client private key (PEM)")
    parser.add_argument("--timeout", type=float, default=20.0)
    args = parser.parse_args()

    cells = [c for c in args.cells.split(",") if c]
    report = {}
    threads = [threading.Thread(target=run_cell, args=(args, cell, report)) for cell in cells]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ok = all(report[c]["ok"] for c in cells)
    print(json.dumps({"ok": ok, "cells": report}, sort_keys=True))
    sys.stdout.flush()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
