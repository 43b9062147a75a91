"""A peer that pipelines calls and does not read its answers until told, for the transport tests.

  nonreading_peer.py PATH COUNT BYTES

Connects to the unix socket PATH (served by a Tester), bootstraps it and sends COUNT
Tester.measure calls of BYTES text each, without reading. When the socket stays full for 2 s it
prints "blocked SENT" (bytes sent so far); when everything went out unread, "sent-all SENT".
Then, on a line "read" on stdin, it reads every answer (sending a Finish for each) while it
sends the rest, and prints "ok COUNT" when all COUNT answers came, in order, each with its own
text, or "fail WHY" at the first one that did not.
"""

import os
import select
import socket
import struct
import sys

import capnp

HERE = os.path.dirname(os.path.abspath(__file__))
rpc = capnp.load("/usr/include/capnp/rpc.capnp", imports=["/usr/include"])
rpctest = capnp.load(os.path.join(HERE, "..", "RPCTestKit", "rpctest.capnp"), imports=["/usr/include"])
MEASURE = rpctest.Tester.schema.methods["measure"]


def frame(message):
    return message.to_bytes()  # the standard stream framing


def bootstrap():
    message = rpc.Message.new_message()
    message.init("bootstrap").questionId = 0
    return frame(message)


def text_for(index, size):
    head = "%08d" % index
    return head + "x" * (size - len(head))


def call(index, size):
    message = rpc.Message.new_message()
    body = message.init("call")
    body.questionId = index
    body.target.init("promisedAnswer").questionId = 0
    body.interfaceId = rpctest.Tester.schema.node.id
    body.methodId = 7
    params = body.params.content.as_struct(MEASURE.param_type)
    box = params.init("box")
    box.value = text_for(index, size)
    box.label = "n"
    return frame(message)


def finish(index):
    message = rpc.Message.new_message()
    body = message.init("finish")
    body.questionId = index
    body.releaseResultCaps = True
    return frame(message)


def frames(buffer):
    """Whole frames at the start of `buffer`: (list of frames, bytes used)."""
    out, at = [], 0
    while len(buffer) - at >= 4:
        count = struct.unpack_from("<I", buffer, at)[0] + 1
        table = (count + 2) // 2 * 8
        if len(buffer) - at < table:
            break
        words = sum(struct.unpack_from("<%dI" % count, buffer, at + 4))
        size = table + words * 8
        if len(buffer) - at < size:
            break
        out.append(bytes(buffer[at : at + size]))
        at += size
    return out, at


def main():
    path, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    sock.setblocking(False)
    outgoing = bytearray(bootstrap())
    next_call = 1
    sent = 0

    def refill():
        nonlocal next_call
        while len(outgoing) < 1 << 20 and next_call <= count:
            outgoing.extend(call(next_call, size))
            next_call += 1

    def send_some():
        nonlocal sent
        try:
            n = sock.send(outgoing[: 1 << 20])
        except BlockingIOError:
            return
        del outgoing[:n]
        sent += n

    # Phase 1: send without reading.
    refill()
    while outgoing:
        _, writable, _ = select.select([], [sock], [], 2.0)
        if not writable:
            print("blocked %d" % sent, flush=True)
            break
        send_some()
        refill()
    else:
        print("sent-all %d" % sent, flush=True)
    if sys.stdin.readline().strip() != "read":
        return 0

    # Phase 2: read every answer, send a Finish for each, send the rest.
    incoming = bytearray()
    expected = 1
    while expected <= count:
        want_write = [sock] if outgoing else []
        readable, writable, _ = select.select([sock], want_write, [], 60.0)
        if not readable and not writable:
            print("fail nothing moved for 60 s at answer %d" % expected, flush=True)
            return 1
        if writable:
            send_some()
            refill()
        if readable:
            chunk = sock.recv(1 << 20)
            if not chunk:
                print("fail the server closed the connection at answer %d" % expected, flush=True)
                return 1
            incoming.extend(chunk)
            whole, used = frames(incoming)
            del incoming[:used]
            for data in whole:
                with rpc.Message.from_bytes(data, traversal_limit_in_words=1 << 30) as message:
                    failure = check(message, expected, size)
                if failure is None:
                    continue
                if failure:
                    print("fail " + failure, flush=True)
                    return 1
                outgoing.extend(finish(expected))
                expected += 1
    while outgoing:
        select.select([], [sock], [], 60.0)
        send_some()
    print("ok %d" % count, flush=True)
    return 0


def check(message, expected, size):
    """None for a message that is not an answer to a call; "" for the answer due; else why not."""
    if message.which() != "return":
        return None
    answer = getattr(message, "return")
    if answer.answerId == 0:
        return None  # the bootstrap: in use until the end
    if answer.answerId != expected:
        return "answer %d came where %d was due" % (answer.answerId, expected)
    if answer.which() != "results":
        return "answer %d is %s" % (expected, answer.which())
    results = answer.results.content.as_struct(MEASURE.result_type)
    if bytes(results.box.value) != text_for(expected, size).encode():
        return "answer %d carries another text" % expected
    return ""


if __name__ == "__main__":
    sys.exit(main())
