@0xd4f5e2a1b3c49e07;
# Interfaces built on capnp's own persistent.capnp (a schema not written for these tests):
# inheritance from its generic interface, and that interface passed as a callback.

using Persistent = import "/capnp/persistent.capnp".Persistent;

interface Note extends(Persistent(Text, Text)) {
  read @0 () -> (text :Text);
}

interface Archive {
  keep @0 (note :Persistent(Text, Text), owner :Text) -> (ref :Text);
  # Saves `note` sealed for `owner` by calling its `save` (the caller's own object).
}
