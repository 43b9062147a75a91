// Generated accessors against schemas that tempt them to collide: union presence, Bitcoin Core's
// `result` + `hasResult` shape, names of generated members, and servers that serve only some methods.

import Capnp
import CapnpRPC
import Testing
import TestSupport

@Suite struct GeneratedNamesTests {
    @Test("has<Field> of a union member is false unless the union selects it (Reader and Builder)")
    func unionPresence() throws {
        // capnp C++'s hasOther() is false unless which() == other. Fails if has<Field> reads only the pointer.
        let reader = try MessageReader(bytes: try Oracle.encode("(fish = (fins = 2))", as: "Aquarium")).root(as: Aquarium.self)
        #expect(reader.which == .fish && reader.hasFish && !reader.hasOther)
        #expect(try reader.fish.fins == 2)

        let message = MessageBuilder()
        let builder = message.initRoot(Aquarium.self)
        builder.initFish().fins = 2
        builder.other = "x"
        #expect(builder.hasOther && !builder.hasFish)
        #expect(builder.asReader.hasOther && !builder.asReader.hasFish)
        #expect(try Oracle.decode(message.serialize(), as: "Aquarium") == #"(other = "x")"#)
    }

    @Test("a pointer `result` beside a Bool `hasResult` (Bitcoin Core's mining.capnp) both keep their data")
    func resultAndHasResult() throws {
        let literal = #"(result = (height = 7), hasResult = true, name = "n", nameBytes = "b", initResult = -1, structReader = 3, asReader = 4)"#
        let message = MessageBuilder()
        let root = message.initRoot(Collisions.self)
        #expect(!root.hasResult_ && !root.hasResult)
        root.initResult_().height = 7
        root.hasResult = true
        root.name = "n"
        root.setNameBytes(Array("b".utf8))
        root.initResult = -1
        root.structReader_ = 3
        root.asReader_ = 4
        #expect(root.hasResult_)
        #expect(message.serialize() == (try Oracle.encode(literal, as: "Collisions")))

        let back = try MessageReader(bytes: try Oracle.encode(literal, as: "Collisions")).root(as: Collisions.self)
        #expect(back.hasResult && back.hasResult_ && back.initResult == -1 && back.structReader_ == 3 && back.asReader_ == 4)
        #expect(try back.result.height == 7 && back.name == "n" && Array(back.nameBytes) == Array("b".utf8))
        #expect(try Array(back.nameBytes_) == Array("n".utf8))
    }

    /// Serves only `getTip`: `sendGetTip` and `dispatch` fall back to the generated `.unimplemented`.
    final class TipServer: Mining.Server {
        func getTip(_ call: ServerCall<Mining.GetTipParams, Mining.GetTipResults>) async throws {
            call.results.initResult().height = 42
            call.results.hasResult = true
        }
    }

    @Test("a server writes only the methods it serves; the others fail with unimplemented")
    func unimplementedByDefault() async throws {
        let mining = Mining.Client(serving: TipServer())
        let tip = try await mining.getTip()
        #expect(tip.hasResult && tip.hasResult_)
        #expect(try tip.result.height == 42)
        await #expect(throws: RPCError.self) { try await mining.sendGetTip() }
        do {
            try await mining.dispatch()
            Issue.record("dispatch should fail")
        } catch {
            #expect(error.kind == .unimplemented)
        }
    }
}
