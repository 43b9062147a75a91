@0xf2c5cfa319406aa6;
# Init, the first capability of every process connection, as Bitcoin Core's init.capnp shapes it
# (same file ID, so the same interface ID): `construct` exchanges thread maps, then the
# `make…` methods hand out the other interfaces.

using Swift = import "swift.capnp";
$Swift.module("NodeInterfaces");

using Proxy = import "/mp/proxy.capnp";
using Echo = import "echo.capnp";

interface Init {
  # The first capability a process hands its peer.

  construct @0 (threadMap :Proxy.ThreadMap) -> (threadMap :Proxy.ThreadMap);
  # Exchanges thread maps: each side can then make threads on the other.
  makeEcho @1 (context :Proxy.Context) -> (result :Echo.Echo);
  # A new Echo.
}
