@0xc8bec63391a0307a;
# Types that test.capnp imports, so cross-file references are exercised.

enum Color {
  red @0;
  green @1;
  blue @2;
}

struct Point {
  x @0 :Int32;
  y @1 :Int32;
  label @2 :Text;
}

struct Pair(First, Second) {
  first @0 :First;
  second @1 :Second;
}

const origin :Point = (x = 0, y = 0, label = "origin");
