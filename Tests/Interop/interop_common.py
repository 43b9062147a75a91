# What every pycapnp peer script shares: its check lines, and a stream over an inherited fd.

import socket
import sys

import capnp


def check(name, condition, detail=""):
    """Prints `ok NAME`, or `FAILED NAME DETAIL` and exits 1: the Swift test reads these lines."""
    if not condition:
        print(f"FAILED {name} {detail}", flush=True)
        sys.exit(1)
    print(f"ok {name}", flush=True)


async def stream_on(fd):
    """A capnp stream over `fd`, a connected unix socket this process inherited."""
    return await capnp.AsyncIoStream.create_connection(sock=socket.socket(fileno=fd))
