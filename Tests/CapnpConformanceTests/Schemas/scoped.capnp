@0xb27b5fe7fad884c1;
# The file annotations of swift.capnp: types nested in a namespace, declared `internal`, with
# names that would clash at module top level (Foundation's Thread, Capnp's Data).

using Swift = import "/swift.capnp";
$Swift.namespace("Scoped");
$Swift.visibility("internal");

struct Thread {
  name @0 :Text;
  data @1 :Data;
}

interface Context {
  get @0 (name :Text) -> (thread :Thread);
}

const limit :UInt32 = 7;
const origin :Thread = (name = "main");
