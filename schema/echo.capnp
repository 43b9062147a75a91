@0x888b4f7f51e691f7;
# Echo, as Bitcoin Core's echo.capnp shapes it (same file ID, so the same interface ID): the
# smallest interface a spawned process can serve, used to test the IPC plumbing.

using Swift = import "swift.capnp";
$Swift.module("NodeInterfaces");

using Proxy = import "/mp/proxy.capnp";

interface Echo {
  # Answers with what it was sent.

  destroy @0 (context :Proxy.Context) -> ();
  # Releases the server object (callers may also just drop the capability).
  echo @1 (context :Proxy.Context, echo :Text) -> (result :Text);
  # Returns `echo`.
}
