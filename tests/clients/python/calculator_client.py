#!/usr/bin/python3
"""Calls every method of the Apache Thrift tutorial Calculator once and checks the tutorial's answers.

Prints one JSON line: {"ok": bool, "results": {...}, "errors": [...]}. Exit code 0 only when every answer
is right.
"""

import sys

from thrift_connect import call_and_report
from tutorial import Calculator
from tutorial.ttypes import InvalidOperation, Operation, Work


def run(client) -> tuple[dict, list]:
    results = {}
    errors = []

    def check(name, actual, expected):
        results[name] = actual
        if actual != expected:
            errors.append(f"{name}: expected {expected!r}, got {actual!r}")

    client.ping()
    results["ping"] = True

    check("add", client.add(1, 1), 2)
    check("add_negative", client.add(-5, 3), -2)

    check("calculate_subtract", client.calculate(1, Work(num1=15, num2=10, op=Operation.SUBTRACT)), 5)
    check("calculate_multiply", client.calculate(2, Work(num1=6, num2=7, op=Operation.MULTIPLY)), 42)

    try:
        value = client.calculate(3, Work(num1=1, num2=0, op=Operation.DIVIDE))
        errors.append(f"calculate_divide_by_zero: expected InvalidOperation, got {value!r}")
        results["calculate_divide_by_zero"] = value
    except InvalidOperation as e:
        results["calculate_divide_by_zero"] = {"whatOp": e.whatOp, "why": e.why}
        if e.whatOp != Operation.DIVIDE or not e.why:
            errors.append(f"calculate_divide_by_zero: unexpected InvalidOperation {e!r}")

    # Oneway: no reply; the ping after it proves the connection is still in sync.
    client.zip()
    client.ping()
    results["zip"] = True

    # The tutorial's server logs each calculate under its logid; getStruct(1) returns the subtraction's result.
    # The connection stays on one worker, so the worker-local log has it.
    log = client.getStruct(1)
    check("getStruct", {"key": log.key, "value": log.value}, {"key": 1, "value": "5"})
    return results, errors


if __name__ == "__main__":
    sys.exit(call_and_report(__doc__, Calculator.Client, run))
