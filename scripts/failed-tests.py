#!/usr/bin/env python3
"""Prints each failed test of the given trx files: its name, then the first lines of its message and stack trace.

scripts/test.sh calls it at the end of a failed run, so that the tail of the CI log says what failed and why.
"""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
MAX_LINES = 12


def main(paths: list[str]) -> None:
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as error:
            print(f"failed-tests: cannot read {path}: {error}")
            continue
        for result in root.iterfind(".//t:UnitTestResult", NS):
            if result.get("outcome") != "Failed":
                continue
            print(f"FAILED {result.get('testName')} [{result.get('duration')}]")
            for tag in ("Message", "StackTrace"):
                node = result.find(f"t:Output/t:ErrorInfo/t:{tag}", NS)
                if node is not None and node.text:
                    for line in node.text.strip().splitlines()[:MAX_LINES]:
                        print(f"    {line[:400]}")


if __name__ == "__main__":
    main(sys.argv[1:])
