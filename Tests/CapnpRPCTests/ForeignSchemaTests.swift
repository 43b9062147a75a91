// Stubs generated from capnp's own persistent.capnp (not written for these tests): a generic
// interface inherited with bound arguments, and passed as a callback.

import Capnp
import CapnpRPC
import RPCTestKit
import TestSupport
import Testing

/// A note that can be "saved": its sturdy ref is its text sealed for the owner.
final class NoteServer: Note.Server {
    let text: String
    init(_ text: String) { self.text = text }

    func read(_ call: ServerCall<Note.ReadParams, Note.ReadResults>) async throws {
        call.results.text = text
    }

    // Inherited from Persistent(SturdyRef, Owner), which Note binds to (Text, Text).
    func save(_ call: ServerCall<Persistent<Text, Text>.SaveParams, Persistent<Text, Text>.SaveResults>) async throws {
        let owner = try call.params.sealFor
        try call.results.setSturdyRef("\(text)@\(owner)")
    }
}

/// Keeps notes by calling back the `save` of the note it is given.
final class ArchiveServer: Archive.Server {
    func keep(_ call: ServerCall<Archive.KeepParams, Archive.KeepResults>) async throws {
        let owner = try call.params.owner
        let saved: String = try await call.params.note.save(sealFor: owner)  // Persistent(Text, Text): typed
        call.results.ref = "kept:" + saved
    }
}

@Suite("RPC stubs from a foreign schema (persistent.capnp)")
struct ForeignSchemaTests {
    @Test("inherited generic methods, own methods, and the interface passed back as a callback")
    func persistentNotes() async throws {
        let (a, b) = try socketPair()
        let notes = try Connection(fd: a, serving: ArchiveServer(), options: ConnectionOptions(isServer: true))
        defer { notes.close() }
        let client = try Connection(fd: b)
        defer { client.close() }
        let archive = client.bootstrap(as: Archive.Client.self)

        // Our note goes to the archive as a Persistent(Text, Text); the archive calls its save.
        let note = Note.Client(serving: NoteServer("groceries"))
        let ref = try await archive.keep(note: note.cast(to: Persistent<Capnp.Text, Capnp.Text>.Client.self), owner: "alice")
        #expect(ref == "kept:groceries@alice")

        // The inherited method through the derived client, across the connection.
        let remoteNote = try await withHangGuard("a served note") {
            let (c, d) = try socketPair()
            let server = try Connection(fd: c, serving: NoteServer("remote"), options: ConnectionOptions(isServer: true))
            let noteClient = try Connection(fd: d)
            let note = noteClient.bootstrap(as: Note.Client.self)
            let text = try await note.read()
            let ref = try await note.save(sealFor: "bob")  // bound to Text by `extends(Persistent(Text, Text))`
            noteClient.close()
            server.close()
            return "\(text)|\(ref)"
        }
        #expect(remoteNote == "remote|remote@bob")
    }
}
