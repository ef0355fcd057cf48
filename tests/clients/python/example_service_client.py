#!/usr/bin/python3
"""Calls the ExampleService of the `dotnet new tunicorn` template (templates/Tunicorn.Templates) once per method.

Prints one JSON line: {"ok": bool, "results": {...}, "errors": [...]}. Exit code 0 only when every answer is right.
Needs the Python code of the generated project's .thrift (thrift --gen py) on PYTHONPATH: package example_service.
"""

import argparse
import json
import sys

from example_service import ExampleService
from example_service.ttypes import InvalidName
from thrift_connect import Connection, add_endpoint_arguments


def run(client) -> tuple[dict, list]:
    results = {}
    errors = []

    def check(name, actual, expected):
        results[name] = actual
        if actual != expected:
            errors.append(f"{name}: expected {expected!r}, got {actual!r}")

    client.ping()
    results["ping"] = True
    check("add", client.add(40, 2), 42)
    check("greet", client.greet("Python"), "Hello, Python!")
    try:
        value = client.greet("")
        errors.append(f"greet_empty: expected InvalidName, got {value!r}")
    except InvalidName as e:
        check("greet_empty", e.reason, "the name is empty")
    return results, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_endpoint_arguments(parser)
    args = parser.parse_args()

    results, errors = {}, []
    connection = None
    try:
        connection = Connection(args, ExampleService.Client)
        results, errors = run(connection.client)
    except Exception as e:  # report any failure as data; the harness asserts on the JSON
        errors.append(f"{type(e).__name__}: {e}")
    finally:
        if connection is not None:
            connection.close()

    print(json.dumps({"ok": not errors, "results": results, "errors": errors}, sort_keys=True))
    sys.stdout.flush()
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
