@0x9c3505dc45e146ac;
# Rpc: Bitcoin Core's JSON-RPC commands over IPC (what `bitcoin-cli -ipcconnect` calls); same file
# ID and ordinals as Bitcoin Core's rpc.capnp.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("ipc::capnp::messages");

using Swift = import "swift.capnp";
$Swift.module("NodeInterfaces");

using Proxy = import "/mp/proxy.capnp";
$Proxy.include("interfaces/rpc.h");
$Proxy.includeTypes("ipc/capnp/rpc-types.h");

interface Rpc $Proxy.wrap("interfaces::Rpc") {
  # The node's JSON-RPC commands.

  executeRpc @0 (context :Proxy.Context, request :Text, uri :Text, user :Text) -> (result :Text);
  # Runs a JSON-RPC 1.0/2.0 request (one object or a batch) and returns the JSON reply.
}
