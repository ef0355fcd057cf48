#!/usr/bin/python3
"""Calls the ExampleService of the `dotnet new tunicorn` template (templates/Tunicorn.Templates) once per method.

Prints one JSON line: {"ok": bool, "results": {...}, "errors": [...]}. Exit code 0 only when every answer is right.
Needs the Python code of the generated project's .thrift (thrift --gen py) on PYTHONPATH: package example_service.
"""

import sys

from example_service import ExampleService
from example_service.ttypes import InvalidName
from thrift_connect import call_and_report


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


if __name__ == "__main__":
    sys.exit(call_and_report(__doc__, ExampleService.Client, run))
