// Forwarding a served call to another capability, and the rule that wraps a capability passed
// from one connection's interceptor to another's (so that each hop keeps its own convention).

import Capnp
internal import CCapnpRPC

extension IncomingCall {
    /// Sends this call on to `target` with the same params (their capabilities included) after
    /// `edit` has changed them, and answers it with the target's results. Call it from the
    /// call's first step (as a `dispatch` does), before any suspension.
    public func forward(to target: Capability, edit: (MessageBuilder) throws -> Void) async throws {
        let table = params.capabilityTable as? ReceivedMessage
        // On the loop still: learn the caller's connection, for what the results carry back.
        _ = table?.connectionInterceptor()
        let message = MessageBuilder(firstSegmentWords: 128)
        message.capabilities = table?.allCapabilities() ?? []
        // An fd goes on as an fd (a proxy would carry none): on the loop still, the fd each
        // capability carries is known now.
        for index in message.capabilities.indices {
            guard let capability = message.capabilities[index] as? Capability else { continue }
            let fd = ccapnp_cap_dup_fd_on_loop(capability.handle)
            if fd >= 0 { message.capabilities[index] = Capability(fileDescriptor: fd) }
        }
        if let root = try? params.root() { try message.root.copy(from: root) }
        try edit(message)
        let response = try await target.call(interfaceId: interfaceId, methodId: methodId, params: message)
        let out = results
        out.capabilities = (response.capabilityTable as? ReceivedMessage)?.allCapabilities() ?? []
        try out.root.copy(from: response.root())
    }
}

extension MessageBuilder {
    /// Before this message goes out over `destination`'s connection: each capability that came
    /// from another interceptor's connection is replaced by what that interceptor forwards.
    func forwardCapabilities(to destination: (any CallInterceptor)?) {
        guard let destination else { return }
        for index in capabilities.indices {
            guard let capability = capabilities[index] as? Capability, let source = capability.interceptor,
                  source !== destination else { continue }
            capabilities[index] = source.forwarded(capability, to: destination)
        }
    }
}
