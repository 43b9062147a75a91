"""A strict peer that keeps libmultiprocess's thread rules, in pycapnp, written from the rules.

  strict_mp_peer.py serve FD     serve MpInit on FD until the other side hangs up
  strict_mp_peer.py call FD      call the MpInit served on FD (construct, makeThread, makeTester,
                                 callBack nested 3 deep, keep and callKept); print "ok <check>" per
                                 check, exit 1 on a failure

The rules it enforces on every call it serves (but construct and the ThreadMap/Thread methods):
- no context, or no context.thread: fails with "missing thread to execute request";
- a context.thread this process did not make with its ThreadMap: "invalid thread handle";
- a thread that is running a call and not waiting in a call of its own (which is when
  libmultiprocess lets a callback in): fails with "thread busy".
And on every call it makes back while serving one, thread = the callbackThread it was given, and
callbackThread = the thread it is running on.
"""

import asyncio
import os
import sys
import uuid

import capnp

from interop_common import check, stream_on

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
capnp.remove_import_hook()
mptest = capnp.load(os.path.join(ROOT, "Tests", "RPCTestKit", "Schemas", "mptest.capnp"),
                    imports=[os.path.join(ROOT, "schema"), "/usr/include"])
proxy = capnp.load(os.path.join(ROOT, "schema", "mp", "proxy.capnp"), imports=[os.path.join(ROOT, "schema")])

# Every thread this process made, by the unguessable name its getName answers.
THREADS = {}


class PeerThread(proxy.Thread.Server):
    """One libmultiprocess thread: runs one call at a time (callbacks nest while it waits)."""

    def __init__(self, name):
        self.name = name
        self.token = f"strict-peer:{name}:{uuid.uuid4()}"
        self.running = 0  # calls it is running
        self.waiting = 0  # calls of its own it is waiting for
        THREADS[self.token] = self

    async def getName(self, _context, **kwargs):
        return self.token


class ThreadMap(proxy.ThreadMap.Server):
    async def makeThread(self, name, _context, **kwargs):
        return PeerThread(name)

    async def makePool(self, count, _context, **kwargs):
        raise Exception("makePool is not implemented here (an older libmultiprocess)")


async def enter(params):
    """The thread a served call runs on, checked by the rules; and the caller's callback thread."""
    if not params._has("context") or not params.context._has("thread"):
        raise Exception("missing thread to execute request")
    name = (await params.context.thread.getName()).result
    thread = THREADS.get(name)
    if thread is None:
        raise Exception(f"invalid thread handle ({name})")
    if thread.running > thread.waiting:
        raise Exception(f"thread busy: '{thread.name}' has a call in flight")
    thread.running += 1
    callback = params.context.callbackThread if params.context._has("callbackThread") else None
    return thread, callback


async def call_out(thread, request, callback_thread):
    """Sends `request` as `thread` would: naming `callback_thread` to run on, itself for callbacks."""
    if callback_thread is None:
        raise Exception("no callbackThread to call back on")
    request.context.thread = callback_thread
    request.context.callbackThread = thread
    thread.waiting += 1
    try:
        return await request.send()
    finally:
        thread.waiting -= 1


class Callback(mptest.MpCallback.Server):
    """Calls the tester back until depth 0."""

    def __init__(self, label, tester=None):
        self.label = label
        self.tester = tester

    async def notify(self, depth, _context, **kwargs):
        thread, callback_thread = await enter(_context.params)
        try:
            if self.tester is not None and thread.waiting == 0:
                # Only ever called back during a call of ours: on the thread waiting in that call.
                raise Exception(f"a callback on '{thread.name}', which is not waiting in a call")
            if depth == 0 or self.tester is None:
                return f"{self.label}{depth}"
            request = self.tester.callBack_request()
            request.callback = self
            request.depth = depth - 1
            inner = await call_out(thread, request, callback_thread)
            return f"{self.label}{depth}<{inner.trail}"
        finally:
            thread.running -= 1


class Tester(mptest.MpTester.Server):
    async def callBack(self, callback, depth, _context, **kwargs):
        thread, callback_thread = await enter(_context.params)
        try:
            # Busy a while on the thread first (not waiting, so no call may come in), so that calls
            # sent together and sharing a thread meet here.
            await asyncio.sleep(0.02)
            request = callback.notify_request()
            request.depth = depth
            answer = await call_out(thread, request, callback_thread)
            return f"peer{depth}<{answer.trail}"
        finally:
            thread.running -= 1

    async def keep(self, callback, _context, **kwargs):
        raise Exception("not served here")

    async def callKept(self, depth, _context, **kwargs):
        raise Exception("not served here")

    async def makeCallback(self, label, _context, **kwargs):
        thread, _ = await enter(_context.params)
        thread.running -= 1
        return Callback(label)


class Init(mptest.MpInit.Server):
    async def construct(self, threadMap, _context, **kwargs):
        return ThreadMap()

    async def makeTester(self, _context, **kwargs):
        thread, _ = await enter(_context.params)
        thread.running -= 1
        return Tester()



async def serve(fd):
    stream = await stream_on(fd)
    server = capnp.TwoPartyServer(stream, bootstrap=Init())
    await server.on_disconnect()


async def call(fd):
    stream = await stream_on(fd)
    client = capnp.TwoPartyClient(stream)
    init = client.bootstrap().cast_as(mptest.MpInit)
    theirs = (await init.construct(ThreadMap())).threadMap
    main = PeerThread("main")
    remote = (await theirs.makeThread("strict-peer main")).result

    request = init.makeTester_request()
    request.context.thread = remote
    request.context.callbackThread = main
    tester = (await request.send()).result

    request = tester.callBack_request()
    request.context.thread = remote
    request.context.callbackThread = main
    request.callback = Callback("py", tester)
    request.depth = 3
    main.running += 1
    main.waiting += 1
    trail = (await request.send()).trail
    check("nested callbacks", trail == "swift3<py3<swift2<py2<swift1<py1<swift0<py0", trail)

    # A capability given in a call without a context, called back later during one with.
    await tester.keep(Callback("kept", tester))
    request = tester.callKept_request()
    request.context.thread = remote
    request.context.callbackThread = main
    request.depth = 1
    trail = (await request.send()).trail
    check("a kept callback", trail == "swift1<kept1<swift0<kept0", trail)



def main():
    mode, fd = sys.argv[1], int(sys.argv[2])
    asyncio.run(capnp.run(serve(fd) if mode == "serve" else call(fd)))


if __name__ == "__main__":
    main()
