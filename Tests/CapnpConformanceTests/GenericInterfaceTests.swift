// A generic interface bound to a struct: the Server's methods and the Client's labelled-argument
// forms are typed for it (before, the Server read AnyPointer and the Client took a builder closure).

import Capnp
import CapnpRPC
import Testing

final class FishRegistry: Registry<Fish>.Server, @unchecked Sendable {
    private var fins: [String: UInt8] = [:]

    func put(_ call: ServerCall<Registry<Fish>.PutParams, Registry<Fish>.PutResults>) async throws {
        let value: Fish.Reader = try call.params.value
        fins[try call.params.key] = value.fins
    }

    func get(_ call: ServerCall<Registry<Fish>.GetParams, Registry<Fish>.GetResults>) async throws {
        guard let count = fins[try call.params.key] else { throw RPCError(.failed, "no such key") }
        call.results.value.fins = count
    }
}

@Suite struct GenericInterfaceTests {
    @Test("Registry<Fish>: put(key:value:) and get(key:) carry Fish both ways")
    func typedGenericInterface() async throws {
        let registry = Registry<Fish>.Client(serving: FishRegistry())
        let fish5 = MessageBuilder().initRoot(Fish.self)
        fish5.fins = 5
        try await registry.put(key: "nemo", value: fish5.asReader)
        let fish: Fish.Reader = try await registry.get(key: "nemo")
        #expect(fish.fins == 5)
    }
}
