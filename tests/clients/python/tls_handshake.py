"""One TLS handshake with a server, restricted as an old or picky client would be (Python's ssl module, the TLS of
gunicorn's own clients): a maximum or minimum protocol version, a cipher list.

Prints one JSON line: {"ok": true, "version": "TLSv1.2", "cipher": "..."} or {"ok": false, "error": "..."}; exits 0 when
the handshake succeeded, 3 when it was refused.
"""

import argparse
import json
import socket
import ssl
import sys

VERSIONS = {
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--max-version", choices=VERSIONS)
    parser.add_argument("--min-version", choices=VERSIONS)
    parser.add_argument("--ciphers", help="an OpenSSL cipher string for TLS 1.2")
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args()

    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=args.ca)
    context.check_hostname = False
    if args.max_version:
        context.maximum_version = VERSIONS[args.max_version]
    if args.min_version:
        context.minimum_version = VERSIONS[args.min_version]
    if args.ciphers:
        context.set_ciphers(args.ciphers)

    with socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout) as raw:
        try:
            with context.wrap_socket(raw) as tls:
                print(json.dumps({"ok": True, "version": tls.version(), "cipher": tls.cipher()[0]}))
                return 0
        except (ssl.SSLError, ConnectionError) as e:
            print(json.dumps({"ok": False, "error": str(e)}))
            return 3


if __name__ == "__main__":
    sys.exit(main())
