"""A pycapnp client of a Swift Init, the way Bitcoin Core's interface_ipc.py drives bitcoin-node:
construct -> makeThread -> makeEcho(context) -> echo(context, ...), using only the schema files.

  pycapnp_init_client.py FD    prints "ok <check>" per check; exits 1 on a failure
"""

import asyncio
import os
import sys

import capnp

from interop_common import check, stream_on

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema")
proxy = capnp.load(os.path.join(SCHEMA, "mp", "proxy.capnp"), imports=[SCHEMA])
init_schema = capnp.load(os.path.join(SCHEMA, "init.capnp"), imports=[SCHEMA])



async def main(fd):
    stream = await stream_on(fd)
    client = capnp.TwoPartyClient(stream)
    init = client.bootstrap().cast_as(init_schema.Init)

    thread_map = init.construct().threadMap
    thread = thread_map.makeThread("pythread").result
    check("thread-name", (await thread.getName()).result == "pythread")

    context = proxy.Context.new_message()
    context.thread = thread
    echo = init.makeEcho(context).result
    check("echo", (await echo.echo(context, "hello from python")).result == "hello from python")

    # A Swift server also serves callers that send no context at all.
    empty = proxy.Context.new_message()
    check("echo-empty-context", (await echo.echo(empty, "no context")).result == "no context")
    await echo.destroy(context)
    check("destroy", True)


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    asyncio.run(capnp.run(main(int(sys.argv[1]))))
