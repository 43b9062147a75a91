@0xe0b81ef6c9d86a3c;
# The demo's schema, compiled to Swift at build time by CapnpPlugin (which also provides
# "/swift.capnp": the demo's types are internal to it).

using Swift = import "/swift.capnp";
$Swift.visibility("internal");

struct Person {
  id @0 :UInt32;
  name @1 :Text;
  email @2 :Text;
  phones @3 :List(PhoneNumber);

  struct PhoneNumber {
    number @0 :Text;
    type @1 :Type;

    enum Type {
      mobile @0;
      home @1;
      work @2;
    }
  }

  employment :union {
    unemployed @4 :Void;
    employer @5 :Text;
    school @6 :Text;
    selfEmployed @7 :Void;
  }
}

struct AddressBook {
  people @0 :List(Person);
}
