@0xcc316e3f71a040fb;
# Threads and call contexts, wire-compatible with libmultiprocess's mp/proxy.capnp (same file
# and type shapes), written from the protocol: a caller names the thread a call should run on
# in each call's `context`, and makes such threads through the peer's ThreadMap.
# Imported as "/mp/proxy.capnp" (with -I schema), as schema files written for libmultiprocess do.

using Swift = import "/swift.capnp";
$Swift.module("Multiprocess");
$Swift.namespace("Proxy");

interface ThreadMap $count(0) {
  # Makes threads at the side that serves it.

  makeThread @0 (name :Text) -> (result :Thread);
  # Makes a server-side thread for this client's calls.
  makePool @1 (count :UInt32) -> ();
}

interface Thread {
  # A thread one side made for the other's calls.

  getName @0 () -> (result :Text);
}

struct Context $count(0) {
  # What a call says about threads: where it runs, and where its callbacks go.

  thread @0 :Thread;
  # The thread the call should run on at the callee.
  callbackThread @1 :Thread;
  # The caller's thread, for callbacks made during the call.
}

# libmultiprocess's code-generation annotations, declared so that schema files written for it
# compile unchanged; capnpc-swift ignores them.
annotation include(file) :Text;
annotation includeTypes(file) :Text;
annotation wrap(interface, struct) :Text;
annotation count(param, struct, interface) :Int32;
annotation exception(param) :Text;
annotation name(field, method) :Text;
annotation skip(field) :Void;
