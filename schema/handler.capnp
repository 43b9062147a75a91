@0xebd8f46e2f369076;
# Handler, as Bitcoin Core's handler.capnp shapes it (same file ID): what a subscription returns.
# Dropping it, `destroy` or `disconnect` ends the subscription.

using Swift = import "swift.capnp";
$Swift.module("NodeInterfaces");

using Proxy = import "/mp/proxy.capnp";

interface Handler {
  # One subscription (notifications, init messages, progress).

  destroy @0 (context :Proxy.Context) -> ();
  # Ends the subscription and releases the server object.
  disconnect @1 (context :Proxy.Context) -> ();
  # Ends the subscription; nothing more is delivered after it returns.
}
