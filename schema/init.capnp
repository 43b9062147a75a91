@0xf2c5cfa319406aa6;
# Init, the first capability of every process connection, as Bitcoin Core's init.capnp shapes it
# (same file ID and ordinals, so the same interface ID): `construct` exchanges thread maps, then
# the `make…` methods hand out the other interfaces.

using Swift = import "swift.capnp";
$Swift.module("NodeInterfaces");

using Proxy = import "/mp/proxy.capnp";
using Echo = import "echo.capnp";
using Chain = import "chain.capnp";
using Node = import "node.capnp";
using Mining = import "mining.capnp";
using Rpc = import "rpc.capnp";
using Wallet = import "wallet.capnp";

interface Init {
  # The first capability a process hands its peer.

  construct @0 (threadMap :Proxy.ThreadMap) -> (threadMap :Proxy.ThreadMap);
  # Exchanges thread maps: each side can then make threads on the other.
  makeEcho @1 (context :Proxy.Context) -> (result :Echo.Echo);
  # A new Echo.
  makeMiningOld2 @2 () -> ();
  # Kept so the ordinals match Bitcoin Core's; always fails: Mining is at @3.
  makeMining @3 (context :Proxy.Context) -> (result :Mining.Mining);
  # The node's Mining (block templates for external miners).
  makeRpc @4 (context :Proxy.Context) -> (result :Rpc.Rpc);
  # The node's JSON-RPC commands.
  makeChain @5 (context :Proxy.Context) -> (result :Chain.Chain);
  # The node's Chain.
  makeNode @6 (context :Proxy.Context) -> (result :Node.Node);
  # The node's Node.
  makeWalletLoader @7 (context :Proxy.Context, chain :Chain.Chain) -> (result :Wallet.WalletLoader);
  # The wallet process's loader, seeing the node's chain through `chain`.
}
