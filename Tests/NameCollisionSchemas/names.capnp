@0x8df0ce9c377c9758;
# Interfaces named as what users also import (Foundation's Data and Thread, Multiprocess's
# Thread and Context) or as words generated code uses (Method, Value, Node, Listener, and the
# method and parameter names in Method): the
# name-collision compile test builds this and uses the names unqualified.

interface Listener {
  notify @0 (value :Value) -> ();
  # Tells the listener about a value.
}

interface Thread {
  run @0 (method :Method) -> (result :Text);
  # Runs a method on this thread.
}

interface Context {
  thread @0 () -> (thread :Thread);
  # The thread calls in this context run on.
}

interface Data {
  size @0 () -> (size :UInt64);
  # How many bytes it holds. (Inside this file `Data` names this interface, not the blob type.)
}

interface Node {
  child @0 (name :Text) -> (node :Node);
  # The child named `name`.
  value @1 () -> (value :Value);
  # The value stored at this node.
}

interface Value {
  get @0 () -> (number :Int64, text :Text);
  # The number and the text it holds.
}

interface Method {
  call @0 (listener :Listener) -> ();
  # Calls it, telling `listener` about the outcome. Named as the generated dispatch's parameter is.

  join @1 (params :Text, response :Text, call :Text, message :Text, build :Text) -> (response :Text);
  # The five joined by spaces. Named as what the generated client and server bind around them.
}
