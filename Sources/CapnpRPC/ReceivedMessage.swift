// A message the shim delivered (call results or params): read in place, its capabilities
// reachable through the reader's capability table.

import Capnp
internal import CCapnpRPC

/// Owns a shim message; readers over it keep it alive.
final class ReceivedMessage: CapabilityTable, @unchecked Sendable {
    // @unchecked Sendable: immutable after init but for `lineage` (set once, on the loop, before
    // any task reads the message's capabilities), over a shim message that is read-only
    // (OpaquePointer is not Sendable).
    private let handle: OpaquePointer
    private let view: ccapnp_message_view
    /// Given to the capabilities read out of it. Served params get their connection's
    /// interceptor in the call's first step (on the loop), before the handler reads them.
    private var lineage: Lineage

    private init(handle: OpaquePointer, lineage: Lineage) {
        self.handle = handle
        self.view = ccapnp_message_get_view(handle)
        self.lineage = lineage
    }

    deinit { ccapnp_message_release(handle) }

    /// A reader over `handle`, which it takes ownership of.
    static func reader(taking handle: OpaquePointer, lineage: Lineage = Lineage()) -> MessageReader {
        // The shim's shared empty messages (a null root or an empty struct, the params and results
        // of argument-less methods) get shared readers: no allocation on the call path.
        let view = ccapnp_message_get_view(handle)
        if view.segment_count == 1, view.cap_count == 0, view.segments[0].words == 1 {
            switch UInt64(littleEndian: view.segments[0].data!.loadUnaligned(as: UInt64.self)) {
            case 0:
                ccapnp_message_release(handle)
                return Self.nullRoot
            case 0xFFFF_FFFC:
                ccapnp_message_release(handle)
                return Self.emptyStruct
            default:
                break
            }
        }
        let message = ReceivedMessage(handle: handle, lineage: lineage)
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

    /// Readers of one-word messages whose root is a null pointer / an empty struct. Immutable
    /// (their traversal budget is practically unlimited), so every call can share them.
    private static let nullRoot = sharedReader(0)
    private static let emptyStruct = sharedReader(0xFFFF_FFFC)

    private static func sharedReader(_ word: UInt64) -> MessageReader {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)  // never freed
        memory.storeBytes(of: word.littleEndian, as: UInt64.self)
        return MessageReader(segments: [UnsafeRawBufferPointer(start: memory, count: 8)], options: .trusted,
                             release: {})
    }

    /// The interceptor of the connection this message came over: its lineage's, or the one
    /// registered for the brand of a capability in it (then kept for those read later). Loop
    /// thread only.
    func connectionInterceptor() -> (any CallInterceptor)? {
        if let interceptor = lineage.interceptor { return interceptor }
        for index in 0..<view.cap_count {
            guard let cap = view.caps[index], let brand = ccapnp_cap_brand_on_loop(cap),
                  let interceptor = CallInterceptors.interceptor(forBrand: brand) else { continue }
            lineage.interceptor = interceptor
            return interceptor
        }
        return nil
    }

    /// The interceptor its capabilities get, if known yet.
    var interceptor: (any CallInterceptor)? { lineage.interceptor }

    /// Every entry of its capability table, in order (nil for an empty one).
    func allCapabilities() -> [(any AnyObject & Sendable)?] {
        (0..<view.cap_count).map { capability(at: UInt32($0)) }
    }

    /// A new reference to capability `index`, or nil when the entry is null or out of range.
    func capability(at index: UInt32) -> Capability? {
        guard Int(index) < view.cap_count, let cap = view.caps[Int(index)] else { return nil }
        ccapnp_cap_retain(cap)
        return Capability(owning: cap, lineage: lineage)
    }
}
