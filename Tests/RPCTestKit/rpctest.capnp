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
  # Fails with the given kind and reason.
  fail @1 (kind :ErrorKind, reason :Text) -> ();
}

interface Callback {
  # Called by the server during a call; may call the server back (nesting).
  notify @0 (depth :UInt32) -> (trail :Text);
}

interface Counter {
  next @0 () -> (value :UInt32);
}

struct Box(T) {
  value @0 :T;
  label @1 :Text;
}

interface Tester extends(Calculator) {
  # Calls `callback.notify(depth)` and returns what it answered, prefixed.
  callBack @0 (callback :Callback, depth :UInt32) -> (trail :Text);
  # Returns a counter; the answer waits until a call pipelined on the counter has arrived.
  makeCounter @1 () -> (counter :Counter);
  # Writes `text` to the fd that `sink` carries.
  writeTo @2 (sink :Callback, text :Text) -> ();
  # Never answers; counts its cancellations.
  hang @3 () -> ();
  stats @4 () -> (cancelled :UInt32, liveCounters :UInt32, heldCallbacks :UInt32, hanging :UInt32);
  # Keeps a callback; `release` drops every kept one.
  hold @5 (callback :Callback) -> ();
  release @6 () -> ();
  # Generic struct in params and results.
  measure @7 (box :Box(Text)) -> (box :Box(List(UInt8)));
  # Ends the serving process (cross-process disconnect tests).
  exit @8 (code :Int32) -> ();
}
