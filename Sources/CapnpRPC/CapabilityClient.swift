// What generated interface clients have in common, and the helpers their code calls.

import Capnp

/// A generated interface's `Client`: a typed view of a capability.
public protocol CapabilityClient: Sendable {
    /// The type ID of the interface it calls.
    static var interfaceId: UInt64 { get }
    init(_ capability: Capability)
    var capability: Capability { get }
}

extension CapabilityClient {
    /// A client for `server`, served in this process.
    public init(serving server: some CapabilityServer) {
        self.init(Capability(serving: server))
    }

    /// This capability as another interface's client (no check is made; calls the target does
    /// not implement fail with `.unimplemented`).
    public func cast<Other: CapabilityClient>(to type: Other.Type) -> Other {
        Other(capability)
    }
}

extension PointerReader {
    /// The capability stored here as a `Client`; a malformed or null pointer gives a client
    /// whose calls fail (as capnp C++ does), so reading never throws.
    public func readClient<Client: CapabilityClient>(_ type: Client.Type) -> Client {
        do {
            return Client(try readCapability().capability)
        } catch {
            return Client(.broken(.failed, "malformed capability pointer: \(error)"))
        }
    }
}

extension PointerBuilder {
    /// Stores `client`'s capability here (in the message's capability table).
    public func setClient(_ client: (some CapabilityClient)?) {
        setCapability(entry: client?.capability)
    }
}
