// The one error type of RPC calls: what went wrong (kj's exception kinds) and why.

import Capnp
internal import CCapnpRPC

/// A failed RPC call, or a failure to serve one.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The call failed (the server threw, or a message was malformed).
        case failed
        /// The peer or the runtime is out of some resource; retrying later may work.
        case overloaded
        /// The connection is gone (peer exited, socket closed, or closed locally).
        case disconnected
        /// The target does not implement the method or interface.
        case unimplemented
        /// The calling task was cancelled before the answer came.
        case cancelled
    }

    public let kind: Kind
    /// The reason, as the side that raised it gave it.
    public let reason: String
    /// Whether the peer raised it (as opposed to this process).
    public let isRemote: Bool

    public init(_ kind: Kind, _ reason: String, isRemote: Bool = false) {
        self.kind = kind
        self.reason = reason
        self.isRemote = isRemote
    }

    public var description: String { "\(isRemote ? "remote " : "")\(kind): \(reason)" }

    /// Runs `body`, turning a malformed-message error into a `.failed` RPCError.
    @_spi(Generated) @inlinable
    public static func decoding<T>(_ body: () throws(CapnpError) -> T) throws(RPCError) -> T {
        do { return try body() } catch { throw RPCError(.failed, "malformed message: \(error)") }
    }

    /// Runs `body`, which builds a message: an RPCError it throws passes as is, any other
    /// error becomes `.failed`.
    @_spi(Generated) public static func building<T>(_ body: () throws -> T) throws(RPCError) -> T {
        do { return try body() } catch let error as RPCError { throw error } catch {
            throw RPCError(.failed, "could not build the message: \(error)")
        }
    }

    /// What a server answers for a method or interface it does not serve.
    @_spi(Generated) public static func unimplemented(_ call: IncomingCall) -> RPCError {
        RPCError(.unimplemented, "method \(call.methodId) of interface 0x\(String(call.interfaceId, radix: 16)) is not implemented")
    }

    init(_ error: ccapnp_error) {
        let text = error.description.map { String(cString: $0) } ?? ""
        self.init(Kind(code: error.kind), text, isRemote: error.remote != 0)
    }

    var code: Int32 {
        switch kind {
        case .failed, .cancelled: CCAPNP_FAILED
        case .overloaded: CCAPNP_OVERLOADED
        case .disconnected: CCAPNP_DISCONNECTED
        case .unimplemented: CCAPNP_UNIMPLEMENTED
        }
    }
}

extension RPCError.Kind {
    init(code: Int32) {
        switch code {
        case CCAPNP_OVERLOADED: self = .overloaded
        case CCAPNP_DISCONNECTED: self = .disconnected
        case CCAPNP_UNIMPLEMENTED: self = .unimplemented
        case CCAPNP_CANCELLED: self = .cancelled
        default: self = .failed
        }
    }
}
