@0xc0509d6e0cf97301;
# The RPC tests' schema: inheritance, callbacks, pipelining, fds, generics in params, errors.

enum ErrorKind {
  failed @0;
  overloaded @1;
  disconnected @2;
  unimplemented @3;
}

interface Calculator {
  add @0 (a :Int32, b :Int32) -> (sum :Int32);
  fail @1 (kind :ErrorKind, reason :Text) -> ();
  # Fails with the given kind and reason.
}

interface Callback {
  notify @0 (depth :UInt32) -> (trail :Text);
  # Called by the server during a call; may call the server back (nesting).
}

interface Counter {
  next @0 () -> (value :UInt32);
}

struct Box(T) {
  value @0 :T;
  label @1 :Text;
}

interface Tester extends(Calculator) {
  callBack @0 (callback :Callback, depth :UInt32) -> (trail :Text);
  # Calls `callback.notify(depth)` and returns what it answered, prefixed.
  makeCounter @1 () -> (counter :Counter);
  # Returns a counter; the answer waits until a call pipelined on the counter has arrived.
  writeTo @2 (sink :Callback, text :Text) -> ();
  # Writes `text` to the fd that `sink` carries.
  hang @3 () -> ();
  # Never answers; counts its cancellations.
  stats @4 () -> (cancelled :UInt32, liveCounters :UInt32, heldCallbacks :UInt32, hanging :UInt32);
  hold @5 (callback :Callback) -> ();
  # Keeps a callback; `release` drops every kept one.
  release @6 () -> ();
  measure @7 (box :Box(Text)) -> (box :Box(List(UInt8)));
  # Generic struct in params and results.
  exit @8 (code :Int32) -> ();
  # Ends the serving process (cross-process disconnect tests).
}
