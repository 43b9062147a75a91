@0xcd2c6232cb484a28;
# Types Bitcoin Core's IPC interfaces share (same file ID, so the same node IDs): a block's hash and height.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("ipc::capnp::messages");

using Swift = import "swift.capnp";
$Swift.module("NodeInterfaces");

using Proxy = import "/mp/proxy.capnp";
$Proxy.includeTypes("ipc/capnp/common-types.h");

struct BlockRef $Proxy.wrap("interfaces::BlockRef") {
  # A block of the active chain: its hash (internal byte order) and height.
  hash @0 :Data;
  height @1 :Int32;
}
