#!/bin/sh
# Runs the Thrift compiler for build/Thrift.targets (in the Tunicorn package: buildTransitive/) and turns what it
# says into MSBuild's canonical "file(line): error CODE: text" lines, so that the build reports the .thrift file
# and line of a syntax error instead of "exited with code 1".
# Usage: thrift-gen.sh COMPILER GEN_OPTIONS OUT_DIR IDL...
compiler="$1"
options="$2"
out="$3"
shift 3

if ! command -v "$compiler" >/dev/null 2>&1; then
    echo "tunicorn-thrift : error TUNICORN1001: The Thrift compiler '$compiler' was not found (it generates C# from ThriftIdl items). Install it: sudo apt-get install thrift-compiler (Debian and Ubuntu), or set the ThriftCompiler property to its path."
    exit 1
fi

status=0
for idl in "$@"; do
    # thrift writes "[ERROR:FILE:LINE] (last token was 'x')" and then the parser's own words ("syntax error") on the
    # next line; "[FAILURE:FILE:LINE] text" and "[WARNING:FILE:LINE] text" stand alone.
    output="$("$compiler" --gen "$options" -out "$out" "$idl" 2>&1)"
    code=$?
    failed=0
    [ "$code" -ne 0 ] && failed=1
    report="$(printf '%s\n' "$output" | awk -v idl="$idl" -v failed="$failed" '
        function flush() { if (pending != "") { print pending ptext; pending = ""; ptext = "" } }
        /^\[(ERROR|FAILURE|WARNING):.*:[0-9]+\]/ {
            flush()
            kind = substr($0, 2, index($0, ":") - 2)
            rest = substr($0, index($0, ":") + 1)
            close_at = index(rest, "]")
            where = substr(rest, 1, close_at - 1)
            text = substr(rest, close_at + 1)
            sub(/^ +/, "", text)
            n = split(where, parts, ":")
            line = parts[n]
            file = substr(where, 1, length(where) - length(line) - 1)
            level = (kind == "WARNING") ? "warning" : "error"
            pending = file "(" line "): " level " THRIFT: "
            ptext = text
            next
        }
        /^$/ { next }
        {
            # The parser names the fault on the line after "(last token was ...)": fault first.
            if (pending != "") { ptext = (ptext ~ /^\(last token/) ? $0 " " ptext : ptext " " $0 }
            else if (failed == 1) { print idl " : error THRIFT: " $0 }
            else { print "thrift: " $0 }
        }
        END { flush() }')"
    [ -n "$report" ] && printf '%s\n' "$report"
    if [ "$code" -ne 0 ]; then
        status=$code
        # A failure the compiler did not explain as an error still fails the build, with its exit status.
        case "$report" in
            *": error "*) ;;
            *) echo "$idl : error TUNICORN1002: '$compiler --gen $options' failed with exit status $code." ;;
        esac
    fi
done
exit $status
