# Benchmark schema shared by the C++ baselines (scripts/bench-cxx) and the
# Swift benchmark executable (Sources/capnp-bench). The workloads that use these
# types are defined operation for operation in scripts/bench-cxx/README.md.
@0xeac83a86c350fe44;

interface Bench {
  # The RPC figures P1-P4. The child process (`<bench-binary> -ipcfd N`) serves a
  # `Bench` as its bootstrap capability.

  ping @0 () -> ();
  # Trivial call: no parameters, no results (P1, P2, P4).

  echo @1 (data :Data) -> (data :Data);
  # Returns the bytes it was given (P3, 1 MiB per call).
}

struct Root {
  # P5: one `Root` per iteration, built then read back in full. Three fields of each
  # primitive kind, grouped by kind, then text, a nested struct and 1,000 items.

  bool0 @0 :Bool;
  bool1 @1 :Bool;
  bool2 @2 :Bool;
  i8v0 @3 :Int8;
  i8v1 @4 :Int8;
  i8v2 @5 :Int8;
  i16v0 @6 :Int16;
  i16v1 @7 :Int16;
  i16v2 @8 :Int16;
  i32v0 @9 :Int32;
  i32v1 @10 :Int32;
  i32v2 @11 :Int32;
  i64v0 @12 :Int64;
  i64v1 @13 :Int64;
  i64v2 @14 :Int64;
  u8v0 @15 :UInt8;
  u8v1 @16 :UInt8;
  u8v2 @17 :UInt8;
  u16v0 @18 :UInt16;
  u16v1 @19 :UInt16;
  u16v2 @20 :UInt16;
  u32v0 @21 :UInt32;
  u32v1 @22 :UInt32;
  u32v2 @23 :UInt32;
  u64v0 @24 :UInt64;
  u64v1 @25 :UInt64;
  u64v2 @26 :UInt64;
  f32v0 @27 :Float32;
  f32v1 @28 :Float32;
  f32v2 @29 :Float32;
  f64v0 @30 :Float64;
  f64v1 @31 :Float64;
  f64v2 @32 :Float64;

  name @33 :Text;
  summary @34 :Text;
  tag @35 :Text;

  inner @36 :Inner;

  items @37 :List(Item);
}

struct Inner {
  a @0 :UInt32;
  b @1 :Int64;
  c @2 :Float64;
  d @3 :Bool;
  label @4 :Text;
}

struct Item {
  id @0 :UInt32;
  value @1 :Int64;
  ratio @2 :Float64;
  flag @3 :Bool;
  kind @4 :UInt16;
  score @5 :Float32;
  name @6 :Text;
}
