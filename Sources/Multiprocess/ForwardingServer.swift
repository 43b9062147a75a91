// A capability received over one connection and passed to a peer on another: served here, so
// that each hop of its calls names threads of its own connection, as libmultiprocess does.

@_spi(Generated) import Capnp
import CapnpRPC

/// Serves the calls a peer makes on a capability that came from another connection (`target`,
/// whose connection's context is `context`): each call goes on to the target with a context of
/// the target's connection (a thread of that peer's, our callback thread there) in place of the
/// one the caller sent, which named threads of the caller's connection.
///
/// It finds the context where libmultiprocess's schemas put it: the params' first pointer (as
/// `context @0`), a struct of two capability pointers. A call with something else there goes on
/// unchanged.
final class ForwardingServer: CapabilityServer {
    let target: Capability
    let context: ProxyContext

    init(_ target: Capability, context: ProxyContext) {
        self.target = target
        self.context = context
    }

    func dispatch(_ call: IncomingCall) async throws {
        let sent = Self.contextCapabilities(call.params)
        try await call.forward(to: target) { message in
            guard let sent else { return }
            for index in sent { message.capabilities[Int(index)] = nil }
            let root = message.root.getStruct(dataWords: 0, pointerCount: 1)
            context.fillContext(root._pointer(0), for: target)
        }
    }

    /// The capability-table indices of the context in `params`, or nil when its first pointer
    /// is not a context.
    private static func contextCapabilities(_ params: MessageReader) -> [UInt32]? {
        guard let root = try? params.root().readStruct(), root.pointerSectionCount > 0, !root._pointer(0).isNull,
              let context = try? root._pointer(0).readStruct(), context.pointerSectionCount == 2
        else { return nil }
        var indices: [UInt32] = []
        for slot in 0..<2 where !context._pointer(slot).isNull {
            guard let index = try? context._pointer(slot).readCapabilityIndex() else { return nil }
            indices.append(index)
        }
        return indices
    }
}
