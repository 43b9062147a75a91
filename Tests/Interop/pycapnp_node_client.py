"""A pycapnp client of noded's node.sock, the way Bitcoin Core's interface_ipc.py drives
bitcoin-node: construct -> makeThread -> makeChain(context) -> getHeight, then Node and
Chain.handleNotifications with a Python ChainNotifications, using only the schema files.

  pycapnp_node_client.py SOCKET ADDRESS   prints "ok <check>" per check; exits 1 on a failure
"""

import asyncio
import os
import socket
import sys

import capnp

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema")
proxy = capnp.load(os.path.join(SCHEMA, "mp", "proxy.capnp"), imports=[SCHEMA])
init_schema = capnp.load(os.path.join(SCHEMA, "init.capnp"), imports=[SCHEMA])
chain_schema = capnp.load(os.path.join(SCHEMA, "chain.capnp"), imports=[SCHEMA])


def check(name, condition, detail=""):
    if not condition:
        print(f"FAILED {name} {detail}", flush=True)
        sys.exit(1)
    print(f"ok {name}", flush=True)


class Notifications(chain_schema.ChainNotifications.Server):
    """Records the hashes of connected blocks and every event's name, in order."""

    def __init__(self):
        self.connected = []
        self.events = []

    async def blockConnected(self, context, block, _context, **kwargs):
        self.connected.append((block.height, bytes(block.hash)))
        self.events.append("blockConnected")

    async def blockDisconnected(self, context, block, _context, **kwargs):
        self.events.append("blockDisconnected")

    async def updatedBlockTip(self, context, _context, **kwargs):
        self.events.append("updatedBlockTip")

    async def transactionAddedToMempool(self, context, tx, _context, **kwargs):
        self.events.append("transactionAddedToMempool")

    async def transactionRemovedFromMempool(self, context, tx, reason, _context, **kwargs):
        self.events.append("transactionRemovedFromMempool")

    async def chainStateFlushed(self, context, locator, _context, **kwargs):
        self.events.append("chainStateFlushed")


async def main(path, address):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    stream = await capnp.AsyncIoStream.create_connection(sock=sock)
    client = capnp.TwoPartyClient(stream)
    init = client.bootstrap().cast_as(init_schema.Init)

    thread_map = init.construct().threadMap
    thread = thread_map.makeThread("pythread").result
    context = proxy.Context.new_message()
    context.thread = thread

    chain = init.makeChain(context).result
    node = init.makeNode(context).result
    start = (await chain.getHeight(context)).result
    check("getHeight", start >= 0, str(start))
    genesis = bytes((await chain.getBlockHash(context, 0)).result)
    check("genesis", genesis[::-1].hex() == "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206")

    # Subscribe, mine three blocks, wait until they are delivered: one blockConnected each, in order.
    first = Notifications()
    handler = (await chain.handleNotifications(context, first)).result
    old_tip = bytes((await chain.getTip(context)).hash)
    mined = [bytes(h) for h in (await node.generateToAddress(context, 3, address)).result]
    await chain.waitForNotificationsIfTipChanged(context, old_tip)
    check("blockConnected-per-block", [h for _, h in first.connected] == mined, f"{first.connected} vs {mined}")
    check("heights", [height for height, _ in first.connected] == [start + 1, start + 2, start + 3])
    check("updatedBlockTip", first.events.count("updatedBlockTip") == 3, str(first.events))

    # disconnect ends delivery: a second subscriber still gets the next block, the first does not.
    await handler.disconnect(context)
    second = Notifications()
    second_handler = (await chain.handleNotifications(context, second)).result
    old_tip = bytes((await chain.getTip(context)).hash)
    more = [bytes(h) for h in (await node.generateToAddress(context, 1, address)).result]
    await chain.waitForNotificationsIfTipChanged(context, old_tip)
    check("second-subscriber", [h for _, h in second.connected] == more)
    check("disconnect-stops", len(first.connected) == 3, str(len(first.connected)))

    # Dropping the Handler ends delivery too.
    del second_handler
    third = Notifications()
    third_handler = (await chain.handleNotifications(context, third)).result
    old_tip = bytes((await chain.getTip(context)).hash)
    last = [bytes(h) for h in (await node.generateToAddress(context, 1, address)).result]
    await chain.waitForNotificationsIfTipChanged(context, old_tip)
    check("third-subscriber", [h for _, h in third.connected] == last)
    check("drop-stops", len(second.connected) == 1, str(len(second.connected)))
    await third_handler.disconnect(context)

    info = (await node.getNodeInfo(context)).result
    check("node-info", info.height == start + 5 and info.pid > 0, f"{info.height}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    asyncio.run(capnp.run(main(sys.argv[1], sys.argv[2])))
