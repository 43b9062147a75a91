// Demo of the wire format and generator: builds an address book with code that CapnpPlugin
// generated from addressbook.capnp, lets the capnp tool decode it, and reads it back.

import Capnp
import Foundation

let message = MessageBuilder()
let book = message.initRoot(AddressBook.self)
let people = book.initPeople(count: 2)

let alice = people[0]
alice.id = 123
alice.name = "Alice"
alice.email = "alice@example.com"
let phones = alice.initPhones(count: 1)
phones[0].number = "555-1212"
phones[0].type = .mobile
alice.employment.school = "MIT"

let bob = people[1]
bob.id = 456
bob.name = "Bob"
bob.email = "bob@example.com"
bob.employment.setUnemployed()

let bytes = message.serialize()
print("built an address book: \(bytes.count) bytes, \(message.totalWords) words")

// The capnp tool is the judge of what we wrote.
let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("addressbook.capnp").path
let decode = Process()
decode.executableURL = URL(fileURLWithPath: "/usr/bin/env")
decode.arguments = ["capnp", "decode", schema, "AddressBook"]
let input = Pipe(), output = Pipe()
decode.standardInput = input
decode.standardOutput = output
do {
    try decode.run()
    input.fileHandleForWriting.write(Data(bytes))
    try input.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    decode.waitUntilExit()
    print("capnp decode says:\n\(text)", terminator: "")
    if decode.terminationStatus != 0 { print("capnp decode failed with status \(decode.terminationStatus)"); exit(1) }
} catch {
    print("could not run capnp decode (\(error)); install capnproto to see the tool's view")
}

// And we read back what we wrote, through the generated readers.
do {
    let reader = try MessageReader(bytes: bytes)
    let root = try reader.root(as: AddressBook.self)
    for person in try root.people {
        let employment: String
        switch person.employment.which {
        case .unemployed: employment = "unemployed"
        case .employer: employment = "works at \(try person.employment.employer)"
        case .school: employment = "studies at \(try person.employment.school)"
        case .selfEmployed: employment = "self-employed"
        case .unknown(let tag): employment = "unknown employment \(tag)"
        }
        let phones = try person.phones.map { "\(try $0.number) (\($0.type))" }.joined(separator: ", ")
        print("read back: #\(person.id) \(try person.name) <\(try person.email)>, \(employment); phones: [\(phones)]")
    }
} catch {
    print("reading back failed: \(error)")
    exit(1)
}
