// IPC call tracing: off by default, and then it formats nothing (one relaxed atomic load per
// event). Build with `-Xswiftc -DCAPNP_RPC_NO_TRACE` to compile it out (the bench's baseline).

import Logging
import Synchronization

/// Logs every call sent and served, and its outcome, at `.trace` level, when enabled.
public enum RPCTracing {
    private static let enabled = Atomic<Bool>(false)
    private static let logger = Locked<Logger?>(nil)

    /// Starts tracing to `logger`.
    public static func enable(_ logger: Logger) {
        self.logger.withLock { $0 = logger }
        enabled.store(true, ordering: .releasing)
    }

    public static func disable() {
        enabled.store(false, ordering: .releasing)
    }

    public static var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    /// Logs `message`, built only when tracing is on.
    @inline(__always)
    static func trace(_ message: @autoclosure () -> String) {
        #if !CAPNP_RPC_NO_TRACE
        guard enabled.load(ordering: .relaxed) else { return }
        logger.withLock { $0 }?.trace("\(message())")
        #endif
    }

    /// When a traced call started, or nil when tracing is off (then the clock is not read).
    @inline(__always)
    static func start() -> ContinuousClock.Instant? {
        #if !CAPNP_RPC_NO_TRACE
        enabled.load(ordering: .relaxed) ? .now : nil
        #else
        nil
        #endif
    }

    /// "in 12 µs" since `start`, or "" without one.
    static func elapsed(since start: ContinuousClock.Instant?) -> String {
        guard let start else { return "" }
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return " in \(seconds * 1_000_000 + attoseconds / 1_000_000_000_000) µs"
    }

    static func describe(_ interfaceId: UInt64, _ methodId: UInt16) -> String {
        "0x\(String(interfaceId, radix: 16)).\(methodId)"
    }
}
