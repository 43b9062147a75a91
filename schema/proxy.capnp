@0xcc316e3f71a040fb;
# Threads and call contexts, wire-compatible with libmultiprocess's mp/proxy.capnp (same file
# and type shapes), written from the protocol: a caller names the thread a call should run on
# in each call's `context`, and makes such threads through the peer's ThreadMap.

using Swift = import "swift.capnp";
$Swift.module("Multiprocess");

interface ThreadMap {
  # Makes a server-side thread for this client's calls.
  makeThread @0 (name :Text) -> (result :Thread);
  makePool @1 (count :UInt32) -> ();
}

interface Thread {
  getName @0 () -> (result :Text);
}

struct Context {
  # The thread the call should run on at the callee.
  thread @0 :Thread;
  # The caller's thread, for callbacks made during the call.
  callbackThread @1 :Thread;
}
