"""Tries what an untrusted guest must not be able to do, and reports each outcome.

A test program (`tests/tests/languages.rs`): with nothing granted, every attempt must fail.
Each line is `NAME: ok DETAIL` when the attempt worked, `NAME: denied ERROR` when it failed.
"""

import encodings.idna  # noqa: F401 (host names are encoded with it: bundled so the attempts reach the host)
import os
import socket

import wit_world


def attempt(name, action):
    """Runs `action` and describes what happened."""
    try:
        detail = action()
    except BaseException as error:  # any failure is a denial; the probe itself goes on
        return f"{name}: denied {type(error).__name__}: {error}"
    return f"{name}: ok {detail!r}"


def read_file():
    with open("/etc/hostname") as f:
        return f.read(64)


def write_file():
    with open("probe-was-here.txt", "w") as f:
        f.write("written")
    return "written"


def list_root():
    return os.listdir("/")


def environment():
    if os.environ:
        return dict(os.environ)
    raise LookupError("the environment is empty")


def connect(port):
    connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        connection.connect(("127.0.0.1", port))
    finally:
        connection.close()
    return f"connected to 127.0.0.1:{port}"


def resolve():
    return socket.getaddrinfo("localhost", 80)


class WitWorld(wit_world.WitWorld):
    """The component's export: `probe`."""

    def probe(self, port: int) -> list[str]:
        return [
            attempt("read-file", read_file),
            attempt("write-file", write_file),
            attempt("list-root", list_root),
            attempt("environment", environment),
            attempt("connect", lambda: connect(port)),
            attempt("resolve", resolve),
        ]
