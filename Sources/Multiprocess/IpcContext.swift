// IpcContext: application state that IPC code may need (Bitcoin Core's ipc::Context), e.g. a
// server that must reach the node's objects. Values are kept by type.

import CapnpRPC

/// Shared by every copy of the `Protocol` (and `Ipc`) it came from.
public final class IpcContext: Sendable {
    private let values = Locked<[ObjectIdentifier: any Sendable]>([:])

    public init() {}

    /// The value stored for `type`, or nil.
    public subscript<Value: Sendable>(_ type: Value.Type) -> Value? {
        get { values.withLock { $0[ObjectIdentifier(type)] } as? Value }
        set { values.withLock { $0[ObjectIdentifier(type)] = newValue } }
    }
}
