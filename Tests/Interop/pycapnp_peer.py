"""A pycapnp peer for the RPC interop tests: an implementation of Cap'n Proto RPC that is not ours.

  pycapnp_peer.py serve FD   serve Tester on FD until the other side hangs up
  pycapnp_peer.py call FD    call the Tester served on FD; print "ok <check>" per check, exit 1 on a failure
"""

import asyncio
import os
import sys

import capnp

from interop_common import check, stream_on

HERE = os.path.dirname(os.path.abspath(__file__))
rpctest = capnp.load(os.path.join(HERE, "..", "RPCTestKit", "rpctest.capnp"))


class Counter(rpctest.Counter.Server):
    def __init__(self):
        self.value = 0

    async def next(self, _context, **kwargs):
        self.value += 1
        return self.value


class Tester(rpctest.Tester.Server):
    """Serves what the Swift client checks; every other method stays unimplemented."""

    async def add(self, a, b, _context, **kwargs):
        return (a + b + 2**31) % 2**32 - 2**31

    async def fail(self, kind, reason, _context, **kwargs):
        raise Exception(f"python fails: {reason}")

    async def callBack(self, callback, depth, _context, **kwargs):
        answer = await callback.notify(depth)
        return f"python{depth}<{answer.trail}"

    async def makeCounter(self, _context, **kwargs):
        return Counter()

    async def measure(self, box, _context, **kwargs):
        out = _context.results.init("box")
        out.label = box.label + "!"
        out.value = list(box.value.encode())


class Callback(rpctest.Callback.Server):
    """Calls the Swift server back until depth 0 (nested calls both ways)."""

    def __init__(self, tester):
        self.tester = tester

    async def notify(self, depth, _context, **kwargs):
        if depth == 0:
            return "py0"
        inner = await self.tester.callBack(self, depth - 1)
        return f"py{depth}<{inner.trail}"



async def serve(fd):
    stream = await stream_on(fd)
    server = capnp.TwoPartyServer(stream, bootstrap=Tester())
    await server.on_disconnect()


async def call(fd):
    stream = await stream_on(fd)
    client = capnp.TwoPartyClient(stream)
    tester = client.bootstrap().cast_as(rpctest.Tester)

    check("add", (await tester.add(2, 40)).sum == 42)

    for kind in ["overloaded", "disconnected", "unimplemented", "failed"]:
        try:
            await tester.fail(kind, f"because {kind}")
            check(f"fail-{kind}", False, "did not raise")
        except capnp.KjException as error:
            check(f"fail-{kind}", error.type == kind.upper() and f"because {kind}" in error.description,
                  f"type={error.type} description={error.description}")

    # The Swift server answers makeCounter only after next() arrived: pipelining must work.
    promise = tester.makeCounter()
    value = await asyncio.wait_for(promise.counter.next(), 30)
    check("pipelined-next", value.value == 1, f"value={value.value}")
    await asyncio.wait_for(promise, 30)

    trail = (await tester.callBack(Callback(tester), 2)).trail
    check("nested-callbacks", trail == "server2<py2<server1<py1<server0<py0", trail)

    box = (await tester.measure(box={"label": "size", "value": "héllo"})).box
    check("generic-box", box.label == "size!" and bytes(box.value) == "héllo".encode(), str(box))

    # Many calls in flight, some large: their answers come back batched several to a read.
    sizes = [i * 997 % 50_000 if i % 10 == 0 else 0 for i in range(100)]
    calls = [tester.measure(box={"label": str(i), "value": "y" * size}) if size else tester.add(i, 1000)
             for i, size in enumerate(sizes)]
    replies = await asyncio.wait_for(asyncio.gather(*calls), 30)
    in_flight_ok = all((r.box.label == f"{i}!" and len(r.box.value) == size) if size else r.sum == i + 1000
                       for i, (size, r) in enumerate(zip(sizes, replies)))
    check("in-flight", in_flight_ok)

    stats = await tester.stats()
    check("stats", stats.cancelled == 0 and stats.hanging == 0)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("serve", "call") or not sys.argv[2].isdigit():
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    fd = int(sys.argv[2])
    asyncio.run(capnp.run(serve(fd) if sys.argv[1] == "serve" else call(fd)))


if __name__ == "__main__":
    main()
