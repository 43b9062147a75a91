// A message the shim delivered (call results or params): read in place, its capabilities
// reachable through the reader's capability table.

import Capnp
import CCapnpRPC

/// Owns a shim message; readers over it keep it alive.
final class ReceivedMessage: CapabilityTable, @unchecked Sendable {
    // Immutable after init; the shim's message is read-only.
    private let handle: OpaquePointer
    private let view: ccapnp_message_view
    /// Given to the capabilities read out of it.
    private let lineage: Lineage

    private init(handle: OpaquePointer, lineage: Lineage) {
        self.handle = handle
        self.view = ccapnp_message_get_view(handle)
        self.lineage = lineage
    }

    deinit { ccapnp_message_release(handle) }

    /// A reader over `handle`, which it takes ownership of.
    static func reader(taking handle: OpaquePointer, lineage: Lineage = Lineage()) -> MessageReader {
        let message = ReceivedMessage(handle: handle, lineage: lineage)
        let view = message.view
        var segments: [UnsafeRawBufferPointer] = []
        segments.reserveCapacity(view.segment_count)
        for index in 0..<view.segment_count {
            let segment = view.segments[index]
            segments.append(UnsafeRawBufferPointer(start: segment.data, count: segment.words * 8))
        }
        // The shim built this message by copying a value capnp had already validated.
        return MessageReader(segments: segments, options: .trusted, capabilityTable: message,
                             release: { withExtendedLifetime(message) {} })
    }

    /// A new reference to capability `index`, or nil when the entry is null or out of range.
    func capability(at index: UInt32) -> Capability? {
        guard Int(index) < view.cap_count, let cap = view.caps[Int(index)] else { return nil }
        ccapnp_cap_retain(cap)
        return Capability(owning: cap, lineage: lineage)
    }
}
