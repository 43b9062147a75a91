// Handing a MessageBuilder to the shim: its segments and its capability table as C arrays.

import Capnp
internal import CCapnpRPC

extension MessageBuilder {
    /// Calls `body` with this message as a `ccapnp_message_in` (nil for an absent message).
    /// The shim borrows the segments until it calls back, so the message is retained until then:
    /// the sender must not change it afterwards. That saves a copy when sending off the loop.
    static func withMessageIn<R>(_ message: MessageBuilder?,
                                 _ body: (UnsafePointer<ccapnp_message_in>?) -> R) -> R {
        guard let message else { return body(nil) }
        let segments = message.segmentsForOutput
        let caps = message.capabilities.map { entry in
            (entry as? Capability)?.handle ?? (entry as? any CallScopedCapability)?.capability.handle
        }
        return withUnsafeTemporaryAllocation(of: ccapnp_segment.self, capacity: segments.count) { table in
            for (index, segment) in segments.enumerated() {
                table[index] = ccapnp_segment(data: segment.baseAddress, words: segment.count / 8)
            }
            return caps.withUnsafeBufferPointer { capTable in
                var input = ccapnp_message_in(
                    segments: table.baseAddress, segment_count: segments.count,
                    caps: capTable.baseAddress, cap_count: capTable.count,
                    release: { context in Unmanaged<MessageBuilder>.fromOpaque(context!).release() },
                    release_ctx: Unmanaged.passRetained(message).toOpaque())
                return withExtendedLifetime(message.capabilities) { body(&input) }
            }
        }
    }
}
