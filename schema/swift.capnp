@0xe3d4c01fab1de278;
# Annotations for capnpc-swift.

annotation module @0xe2eaf12b4b020603 (file) :Text;
# The Swift module the file's generated code is compiled into. A file importing this one
# gets `import <module>` in its generated Swift.

annotation namespace @0x9fac4848f43569c3 (file) :Text;
# Nests the file's types in a Swift enum of this name: with `$Swift.namespace("Proxy")`, the
# file's `Thread` is `Proxy.Thread`, so it cannot clash with another module's `Thread`.

annotation visibility @0xb6038ee182bc825c (file) :Text;
# The access level of the generated declarations: "public" (the default), "package" or "internal".
