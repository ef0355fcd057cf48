#!/usr/bin/python3
"""Watches a Tunicorn service's members in ZooKeeper with kazoo, a client independent of Tunicorn's own.

Prints `ready` once connected, then `members {JSON}` (node name -> the node's JSON data, sorted) at start and after
every change of the children, as soon as ZooKeeper reports it. Survives connection loss, session expiry and a
ZooKeeper restart (kazoo reconnects; the watch is set again). Exits by itself after --duration seconds.

    /usr/bin/python3 registry_zk_watch.py --hosts 127.0.0.1:2181 --path /tunicorn/services/Calculator
"""

import argparse
import json
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, NoNodeError


def read_members(zk, path, watch):
    """The members now, with a child watch set; {} while the parent does not exist (an exists watch is set)."""
    try:
        names = zk.get_children(path, watch=watch)
    except NoNodeError:
        if zk.exists(path, watch=watch) is not None:
            return read_members(zk, path, watch)
        return {}
    members = {}
    for name in sorted(names):
        try:
            data, _ = zk.get(f"{path}/{name}")
        except NoNodeError:
            continue  # deleted meanwhile: the child watch fires and the next read drops it
        try:
            members[name] = json.loads(data.decode("utf-8")) if data else None
        except ValueError:
            members[name] = data.decode("utf-8", "replace")
    return members


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", required=True, help="ZooKeeper connect string, e.g. 127.0.0.1:2181")
    parser.add_argument("--path", required=True, help="the service's parent node, e.g. /tunicorn/services/Calculator")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds to watch before exiting")
    args = parser.parse_args()

    changed = threading.Event()
    zk = KazooClient(hosts=args.hosts, timeout=10.0, connection_retry={"max_tries": -1, "delay": 0.1, "max_delay": 0.5})
    zk.add_listener(lambda state: changed.set())
    zk.start(timeout=30)
    print("ready", flush=True)

    deadline = time.monotonic() + args.duration
    last = None
    while time.monotonic() < deadline:
        changed.clear()
        try:
            line = "members " + json.dumps(read_members(zk, args.path, lambda _event: changed.set()), sort_keys=True)
        except KazooException as error:
            print(f"error {type(error).__name__}", file=sys.stderr, flush=True)
            time.sleep(0.1)
            continue
        if line != last:
            print(line, flush=True)
            last = line
        changed.wait(timeout=max(0.0, deadline - time.monotonic()))
    zk.stop()
    zk.close()


if __name__ == "__main__":
    main()
