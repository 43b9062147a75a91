"""Writes the fuzz-server seed corpus: RPC sessions against the node's Init, encoded by pycapnp.

  .venv/bin/python Tests/Fuzz/seed_server.py Tests/Fuzz/FuzzServer/corpus
"""

import os
import sys

import capnp

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
rpc = capnp.load("/usr/include/capnp/rpc.capnp", imports=["/usr/include"])
init = capnp.load(os.path.join(ROOT, "schema", "init.capnp"), imports=[os.path.join(ROOT, "schema"), "/usr/include"])
echo = capnp.load(os.path.join(ROOT, "schema", "echo.capnp"), imports=[os.path.join(ROOT, "schema"), "/usr/include"])


def bootstrap(question):
    message = rpc.Message.new_message()
    message.init("bootstrap").questionId = question
    return message.to_bytes()


def call(question, target, transform, interface, method, fill):
    message = rpc.Message.new_message()
    body = message.init("call")
    body.questionId = question
    promised = body.target.init("promisedAnswer")
    promised.questionId = target
    if transform is not None:
        ops = promised.init("transform", 1)
        ops[0].getPointerField = transform
    body.interfaceId = interface.schema.node.id
    body.methodId = method
    fill(body)
    return message.to_bytes()


def finish(question):
    message = rpc.Message.new_message()
    message.init("finish").questionId = question
    return message.to_bytes()


def echo_params(text):
    def fill(body):
        params = body.params.content.as_struct(echo.Echo.schema.methods["echo"].param_type)
        params.echo = text
        return params
    return fill


def make_echo_params(body):
    return body.params.content.as_struct(init.Init.schema.methods["makeEcho"].param_type)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    sessions = {
        "bootstrap": bootstrap(0),
        "bootstrap-finish": bootstrap(0) + finish(0),
        "make-echo-and-echo": bootstrap(0)
        + call(1, 0, None, init.Init, 1, make_echo_params)
        + call(2, 1, 0, echo.Echo, 1, echo_params("hello"))
        + finish(2) + finish(1),
        "echo-twice-pipelined": bootstrap(0)
        + call(1, 0, None, init.Init, 1, make_echo_params)
        + call(2, 1, 0, echo.Echo, 1, echo_params("a"))
        + call(3, 1, 0, echo.Echo, 1, echo_params("b" * 100)),
    }
    for name, data in sessions.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
