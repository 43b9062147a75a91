@0x9323efc01ef31e34;
# The conformance schema: every kind of type, default, list, union, group, generic and constant.

using Imported = import "imported.capnp";

enum TestEnum {
  foo @0;
  bar @1;
  baz @2;
  qux @3;
}

struct AllTypes {
  voidField @0 :Void;
  boolField @1 :Bool;
  int8Field @2 :Int8;
  int16Field @3 :Int16;
  int32Field @4 :Int32;
  int64Field @5 :Int64;
  uint8Field @6 :UInt8;
  uint16Field @7 :UInt16;
  uint32Field @8 :UInt32;
  uint64Field @9 :UInt64;
  float32Field @10 :Float32;
  float64Field @11 :Float64;
  textField @12 :Text;
  dataField @13 :Data;
  structField @14 :AllTypes;
  enumField @15 :TestEnum;

  voidList @16 :List(Void);
  boolList @17 :List(Bool);
  int8List @18 :List(Int8);
  int16List @19 :List(Int16);
  int32List @20 :List(Int32);
  int64List @21 :List(Int64);
  uint8List @22 :List(UInt8);
  uint16List @23 :List(UInt16);
  uint32List @24 :List(UInt32);
  uint64List @25 :List(UInt64);
  float32List @26 :List(Float32);
  float64List @27 :List(Float64);
  textList @28 :List(Text);
  dataList @29 :List(Data);
  structList @30 :List(AllTypes);
  enumList @31 :List(TestEnum);
  int32ListList @32 :List(List(Int32));
  textListList @33 :List(List(Text));
  structListList @34 :List(List(Imported.Point));

  importedStruct @35 :Imported.Point;
  importedEnum @36 :Imported.Color;
}

struct Defaults {
  boolField @0 :Bool = true;
  int8Field @1 :Int8 = -123;
  int16Field @2 :Int16 = -12345;
  int32Field @3 :Int32 = -12345678;
  int64Field @4 :Int64 = -123456789012345;
  uint8Field @5 :UInt8 = 234;
  uint16Field @6 :UInt16 = 45678;
  uint32Field @7 :UInt32 = 3456789012;
  uint64Field @8 :UInt64 = 12345678901234567890;
  float32Field @9 :Float32 = 1234.5;
  float64Field @10 :Float64 = -1.25e47;
  enumField @11 :TestEnum = baz;
  importedEnumField @12 :Imported.Color = blue;
  textField @13 :Text = "foo";
  dataField @14 :Data = 0x"62 61 72";
  structField @15 :AllTypes = (int32Field = 42, textField = "nested", enumList = [bar, qux]);
  boolList @16 :List(Bool) = [true, false, false, true, true];
  int64List @17 :List(Int64) = [-1, 0, 9223372036854775807];
  float32List @18 :List(Float32) = [1.5, -2.25];
  textList @19 :List(Text) = ["plugh", "xyzzy", "thud"];
  dataList @20 :List(Data) = [0x"00 01", 0x"ff"];
  enumList @21 :List(TestEnum) = [qux, foo];
  structList @22 :List(Imported.Point) = [(x = 1, y = 2, label = "a"), (x = -3, y = 4)];
  int32ListList @23 :List(List(Int32)) = [[1, 2], [], [3]];
  importedStruct @24 :Imported.Point = (x = 7, y = -7);
  zeroDefault @25 :Int32 = 0;
  # A field whose default is zero after all, to be sure it is not treated as defaulted.
  float64Nan @26 :Float64 = nan;
  float32NegZero @27 :Float32 = -0.0;
  float64Inf @28 :Float64 = -inf;
  int64Min @29 :Int64 = -9223372036854775808;
  int8Min @30 :Int8 = -128;
}

struct Shapes {
  # An unnamed union with void, data, pointer and group members.
  name @0 :Text;
  union {
    empty @1 :Void;
    circle @2 :Float64;
    label @3 :Text;
    points @4 :List(Imported.Point);
    rectangle :group {
      width @5 :Float64;
      height @6 :Float64 = 1.5;
    }
    flag @7 :Bool;
  }
  shade :union {
    # A named union beside it.
    none @8 :Void;
    color @9 :Imported.Color;
    rgb @10 :UInt32;
    pattern @11 :Shapes;
  }
  meta :group {
    # A plain group with a nested union.
    id @12 :UInt64;
    kind :union {
      unset @13 :Void;
      number @14 :Int16;
      word @15 :Text;
    }
    tags @16 :List(Text);
  }
}

struct UnionGroups {
  # A union member that is a group holding its own union and a defaulted field.
  union {
    plain @0 :Int32;
    grp :group {
      inner :union {
        x @1 :Int32;
        y @2 :Text;
      }
      z @3 :Int16 = 5;
    }
  }
}

struct Outer {
  # Nested types and a nested constant.
  struct Inner {
    value @0 :Int32;
    enum Mode {
      off @0;
      on @1;
    }
    mode @1 :Mode = on;
    struct Deeper {
      text @0 :Text;
    }
    deeper @2 :Deeper;
  }
  const innerConst :Inner = (value = 5, mode = off, deeper = (text = "deep"));
  const answer :Int32 = 42;
  inner @0 :Inner;
  inners @1 :List(Inner);
}

struct Generic(Key, Value) {
  struct Entry {
    key @0 :Key;
    value @1 :Value;
  }
  entries @0 :List(Entry);
  single @1 :Entry;
  swapped @2 :Generic(Value, Key);
  # The same generic used inside itself, with the parameters swapped.
  key @3 :Key;
}

struct GenericShapes(T) {
  # A generic with a group, a union and a nested constant.
  const tag :Text = "generic";
  holder :group {
    value @0 :T;
    count @1 :UInt16 = 3;
  }
  union {
    none @2 :Void;
    one @3 :T;
    many @4 :List(Text);
  }
}

interface Container(T) {
  # A generic interface, with a generic method.
  get @0 () -> (value :T);
  put @1 [U] (value :T, extra :U) -> (stored :GenericShapes(T));
}

struct UsesGenerics {
  textToPoint @0 :Generic(Text, Imported.Point);
  dataToList @1 :Generic(Data, List(Int32));
  pointToText @2 :Generic(Imported.Point, Text);
  pair @3 :Imported.Pair(Text, AllTypes);
  unbound @4 :Generic;
  entry @5 :Generic(Text, Text).Entry;
  anything @6 :AnyPointer;
  shapes @7 :GenericShapes(Imported.Point);
  shapesList @8 :List(GenericShapes(Text));
  container @9 :Container(Text);
  capGeneric @10 :Generic(Base, List(Imported.Point));
  defaulted @11 :Generic(Text, Text) = (key = "dk", entries = [(key = "a", value = "b")]);
}

const genericConst :Generic(Text, Imported.Point) = (key = "gk", single = (key = "s", value = (x = 1, y = -1)));

enum AwkwardNames {
  rawValue @0;
  unknown @1;
  init @2;
}

struct Tricky {
  # A union member named like the generated unknown case.
  union {
    unknown @0 :Void;
    known @1 :Int32;
  }
}

struct Keywords {
  struct @0 :Int32;
  class @1 :Text;
  default @2 :Bool;
  enum Type {
    self @0;
    protocol @1;
    init @2;
  }
  type @3 :Type;
  self @4 :Int8;
  return @5 :List(Int32);
}

struct Empty {}

struct Late {
  # Older readers see fewer fields: this one is read from an Empty-sized message.
  a @0 :Int32 = 17;
  b @1 :Text = "late";
}

# Two versions of one enum and one union, so values a reader does not know can be tested.
enum EnumV1 {
  a @0;
  b @1;
}

enum EnumV2 {
  a @0;
  b @1;
  c @2;
  d @3;
}

struct HoldsEnumV1 {
  e @0 :EnumV1;
  list @1 :List(EnumV1);
}

struct HoldsEnumV2 {
  e @0 :EnumV2;
  list @1 :List(EnumV2);
}

struct UnionV1 {
  union {
    a @0 :Int32;
    b @1 :Text;
  }
  tail @2 :Int32;
}

struct UnionV2 {
  union {
    a @0 :Int32;
    b @1 :Text;
    c @3 :Float64;
  }
  tail @2 :Int32;
}

struct UnionListV1 {
  list @0 :List(UnionV1);
}

struct UnionListV2 {
  list @0 :List(UnionV2);
}

# A list of primitives or of text may later become a list of structs whose first field is that value.
struct ListsV1 {
  items @0 :List(Int32);
  names @1 :List(Text);
}

struct ListsV2 {
  items @0 :List(Wrapped);
  names @1 :List(Named);
}

struct Wrapped {
  value @0 :Int32;
  label @1 :Text;
}

struct Named {
  name @0 :Text;
  weight @1 :Int64;
}

struct Anys {
  anyStruct @0 :AnyStruct;
  anyList @1 :AnyList;
  capability @2 :Capability;
  bases @3 :List(Base);
  deep @4 :List(List(List(Int8)));
  bits @5 :List(Bool);
  many @6 :List(AllTypes);
}

interface Base {
  ping @0 () -> ();
  echo @1 (value :Text) -> (value :Text);
}

interface Derived extends(Base) {
  add @0 (a :Int32, b :Int32) -> (sum :Int32);
  describe @1 (shape :Shapes) -> (text :Text);
  getBase @2 () -> (base :Base);
}

struct HoldsCaps {
  base @0 :Base;
  derived @1 :Derived;
}

const constBool :Bool = true;
const constInt8 :Int8 = -8;
const constUInt64 :UInt64 = 18446744073709551615;
const constFloat32 :Float32 = -0.5;
const constFloat64 :Float64 = 6.02214076e23;
const constEnum :TestEnum = bar;
const constText :Text = "hello \"world\"\n\ttab";
const constData :Data = 0x"de ad be ef";
const constStruct :AllTypes = (int16Field = -2, textField = "const", structList = [(uint8Field = 1), (uint8Field = 2)]);
const constList :List(Int16) = [1, -1, 32767];
const constTextList :List(Text) = ["a", "bc"];
const constPoint :Imported.Point = Imported.origin;

struct Fish {
  fins @0 :UInt8;
}

struct Aquarium {
  # A union of two pointers: `has<Field>` is false for the member not selected.
  union {
    fish @0 :Fish;
    other @1 :Text;
  }
}

struct BlockRef {
  hash @0 :Data;
  height @1 :Int32;
}

interface Mining {
  # Bitcoin Core's mining.capnp shape: a pointer `result` beside a Bool `hasResult`.

  getTip @0 () -> (result :BlockRef, hasResult :Bool);
  # The tip, if there is one.
  sendGetTip @1 () -> ();
  # A method named like the generated `send` form of `getTip`.
  dispatch @2 () -> ();
  # A method named like the server's own `dispatch`.
}

struct Collisions {
  # Schema names that generated accessors would otherwise take.
  result @0 :BlockRef;
  hasResult @1 :Bool;
  name @2 :Text;
  nameBytes @3 :Data;
  initResult @4 :Int8;
  structReader @5 :UInt8;
  asReader @6 :UInt8;
}

interface MostDerived extends(Derived) {
  # Two levels of `extends`, for servers that subclass a server of a base interface.
  triple @0 (x :Int32) -> (y :Int32);
}
