#!/usr/bin/python3
"""Sends mutations of valid ThriftTest calls to a Tunicorn server and checks that no worker dies.

The corpus is every ThriftTest method (but testOneway, whose mutated sleep would only hold a worker, and
testException("TException"), which logs a handler error on purpose) called with reference arguments, serialized
with Apache Thrift's Python library for each protocol (binary, compact, json) and transport (buffered, framed).
Input N is a mutation of one corpus entry drawn from random.Random(f"{seed}:{N}"), so any input can be replayed
alone (--replay N --dump). Each input goes out on its own connection, which is then half-closed: the server sees
the end of the stream and must close the connection whatever it made of the bytes.

Every --check-every inputs, and at the end, a well-behaved call must be answered right and the master's children
must be the workers it had at the start (same pids): a new pid is a worker that died and was replaced.

Prints one JSON line: {"ok": bool, "inputs": N, "seconds": S, "replied": R, "closed": C, "hangs": [...],
"crashes": [...], "checks": K, "seed": SEED}. Exit code 0 only when ok.
"""

import argparse
import json
import os
import random
import socket
import sys
import threading
import time

from thrift.protocol import TBinaryProtocol, TCompactProtocol, TJSONProtocol
from thrift.transport import TTransport

from ThriftTest import ThriftTest
from ThriftTest.ttypes import Insanity, Numberz, Xtruct, Xtruct2

PROTOCOLS = {
    "binary": TBinaryProtocol.TBinaryProtocol,
    "compact": TCompactProtocol.TCompactProtocol,
    "json": TJSONProtocol.TJSONProtocol,
}

CALLS = [
    ("testVoid", ()),
    ("testString", ("Fuzzing a Tunicorn worker ✓",)),
    ("testBool", (True,)),
    ("testByte", (63,)),
    ("testI32", (-1,)),
    ("testI64", (-34359738368,)),
    ("testDouble", (-5.235098235,)),
    ("testBinary", (bytes(range(64)),)),
    ("testStruct", (Xtruct(string_thing="Zero", byte_thing=1, i32_thing=-3, i64_thing=-5),)),
    ("testNest", (Xtruct2(byte_thing=1, struct_thing=Xtruct(string_thing="x", i32_thing=5), i32_thing=5),)),
    ("testMap", ({0: 1, 1: 2, -1: -2},)),
    ("testStringMap", ({"a": "2", "some": "thing"},)),
    ("testSet", ({1, 2, 3},)),
    ("testList", ([1, 2, 3, -4],)),
    ("testEnum", (Numberz.FIVE,)),
    ("testTypedef", (309858235082523,)),
    ("testMapMap", (1,)),
    ("testInsanity", (Insanity(userMap={Numberz.FIVE: 5}, xtructs=[Xtruct(string_thing="Hello2", i32_thing=2)]),)),
    ("testMulti", (1, 2, 3, {1: "one"}, Numberz.FIVE, 5)),
    ("testException", ("Xception",)),
    ("testMultiException", ("Xception2", "test")),
]

INTERESTING_I32 = [0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, -0x80000000, 0x00100000, 0x10000000]


def serialize(protocol_name, transport_name, method, args, seqid=1):
    buffer = TTransport.TMemoryBuffer()
    transport = TTransport.TFramedTransport(buffer) if transport_name == "framed" else buffer
    client = ThriftTest.Client(PROTOCOLS[protocol_name](transport))
    client._seqid = seqid - 1
    getattr(client, "send_" + method)(*args)
    return buffer.getvalue()


def corpus():
    entries = []
    for protocol_name in PROTOCOLS:
        for transport_name in ("buffered", "framed"):
            for method, args in CALLS:
                entries.append((f"{protocol_name}:{transport_name}:{method}", serialize(protocol_name, transport_name, method, args)))
    return entries


def mutate(data: bytes, rng: random.Random, entries) -> bytes:
    data = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 3, 5))):
        kind = rng.randrange(9)
        position = rng.randrange(len(data)) if data else 0
        if kind == 0 and data:  # flip a bit
            data[position] ^= 1 << rng.randrange(8)
        elif kind == 1 and data:  # an interesting byte
            data[position] = rng.choice((0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0B, 0x0C, 0x0F, 0x5B, 0x5D, 0x22))
        elif kind == 2 and len(data) >= 4:  # an interesting 32-bit integer (lengths, counts, frame sizes)
            position = rng.randrange(len(data) - 3)
            data[position:position + 4] = (rng.choice(INTERESTING_I32) & 0xFFFFFFFF).to_bytes(4, rng.choice(("big", "little")))
        elif kind == 3:  # insert random bytes
            data[position:position] = rng.randbytes(rng.randrange(1, 16))
        elif kind == 4 and data:  # delete a range
            del data[position:position + rng.randrange(1, 16)]
        elif kind == 5 and data:  # truncate
            del data[position:]
        elif kind == 6 and data:  # duplicate a range
            end = min(len(data), position + rng.randrange(1, 32))
            data[position:position] = data[position:end]
        elif kind == 7:  # splice the tail of another entry
            other = rng.choice(entries)[1]
            data[position:] = other[rng.randrange(len(other)):]
        elif kind == 8 and data:  # a varint byte with the continuation bit (compact lengths)
            data[position] |= 0x80
    return bytes(data)


def make_input(seed, n, entries):
    rng = random.Random(f"{seed}:{n}")
    name, data = rng.choice(entries)
    return name, mutate(data, rng, entries)


def send(host, port, data, timeout):
    """Sends one input and reads until the server closes: 'replied', 'closed', or 'hang'."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            return "closed"
        received = 0
        deadline = time.monotonic() + timeout
        while True:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return "hang"
            except ConnectionResetError:
                return "closed"
            if not chunk:
                return "replied" if received else "closed"
            received += len(chunk)


def workers_of(master_pid):
    children = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == master_pid:
                children.add(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return children


def well_behaved_call(host, port, timeout):
    """testString over binary/buffered on a new connection; True when answered right."""
    from thrift.transport import TSocket
    sock = TSocket.TSocket(host=host, port=port)
    sock.setTimeout(int(timeout * 1000))
    transport = TTransport.TBufferedTransport(sock)
    try:
        transport.open()
        client = ThriftTest.Client(TBinaryProtocol.TBinaryProtocol(transport))
        return client.testString("still here") == "still here"
    except Exception:
        return False
    finally:
        transport.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument("--master-pid", type=int, help="check that this master's workers keep their pids")
    parser.add_argument("--inputs", type=int, default=1000)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--first", type=int, default=0, help="number of the first input")
    parser.add_argument("--max-seconds", type=float, default=600, help="stop sending after this long, whatever --inputs says")
    parser.add_argument("--parallel", type=int, default=4, help="connections at once")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds the server may take to close a connection")
    parser.add_argument("--check-every", type=int, default=500)
    parser.add_argument("--replay", type=int, help="send only input N")
    parser.add_argument("--dump", action="store_true", help="with --replay: print the input as hex instead of sending it")
    args = parser.parse_args()

    entries = corpus()
    if args.replay is not None:
        name, data = make_input(args.seed, args.replay, entries)
        if args.dump:
            print(json.dumps({"input": args.replay, "from": name, "hex": data.hex()}))
            return 0
        print(json.dumps({"input": args.replay, "from": name, "outcome": send(args.host, args.port, data, args.timeout)}))
        return 0

    workers = workers_of(args.master_pid) if args.master_pid else set()
    started = time.monotonic()
    last = args.first + args.inputs
    counts = {"replied": 0, "closed": 0}
    hangs, crashes = [], []
    checks = 0
    state = {"next": args.first}
    lock = threading.Lock()

    def out_of_inputs():
        return state["next"] >= last or time.monotonic() - started > args.max_seconds

    def take(limit):
        with lock:
            if state["next"] >= limit or out_of_inputs():
                return None
            n = state["next"]
            state["next"] += 1
            return n

    def send_until(limit):
        while (n := take(limit)) is not None:
            name, data = make_input(args.seed, n, entries)
            try:
                outcome = send(args.host, args.port, data, args.timeout)
            except OSError as e:
                outcome = f"error {e}"
            with lock:
                if outcome in counts:
                    counts[outcome] += 1
                else:
                    hangs.append({"input": n, "from": name, "outcome": outcome})

    def check(label):
        nonlocal checks
        checks += 1
        if not well_behaved_call(args.host, args.port, args.timeout):
            crashes.append({"after": label, "problem": "a well-behaved call was not answered right"})
        if args.master_pid:
            now = workers_of(args.master_pid)
            if now != workers:
                crashes.append({"after": label, "problem": f"workers changed from {sorted(workers)} to {sorted(now)}"})

    # Batches of --check-every inputs, sent by --parallel threads, with a health check after each batch.
    while not out_of_inputs():
        limit = min(last, state["next"] + args.check_every)
        threads = [threading.Thread(target=send_until, args=(limit,)) for _ in range(args.parallel)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        check(f"input {state['next'] - 1}")

    sent = state["next"] - args.first
    seconds = time.monotonic() - started
    ok = not hangs and not crashes and sent > 0
    print(json.dumps({"ok": ok, "inputs": sent, "seconds": round(seconds, 1), "replied": counts["replied"],
                      "closed": counts["closed"], "hangs": hangs[:20], "crashes": crashes, "checks": checks,
                      "seed": args.seed, "first": args.first}))
    sys.stdout.flush()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
