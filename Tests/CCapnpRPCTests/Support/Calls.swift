// Calls.swift: callback plumbing for the tests: outgoing calls with a completion closure or a
// bounded wait, and small thread-safe boxes. Nothing here may block the loop thread.

import CCapnpRPC
import Dispatch
import Glibc

let testInterfaceID: UInt64 = 0xA1B2_C3D4_E5F6_0718
let waitSeconds = 5.0

/// An opaque shim handle that tests move between threads; the shim itself is thread-safe.
struct Handle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// A value behind a mutex.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private var mutex = pthread_mutex_t()

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    func withLock<R>(_ body: (inout Value) -> R) -> R {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body(&value)
    }
}

/// What a call came back with. Owns the results message.
final class CallResult: @unchecked Sendable {
    let message: OpaquePointer?
    let kind: Int32
    let remote: Bool
    let text: String

    init(message: OpaquePointer?, error: UnsafePointer<ccapnp_error>?) {
        self.message = message
        if let error {
            kind = error.pointee.kind
            remote = error.pointee.remote != 0
            text = String(cString: error.pointee.description)
        } else {
            kind = CCAPNP_OK
            remote = false
            text = ""
        }
    }

    deinit {
        if let message { ccapnp_message_release(message) }
    }

    var reader: ViewReader? { message.map { ViewReader(view: ccapnp_message_get_view($0)) } }
    var value: UInt64? { reader?.value }
}

private final class CompletionBox {
    let handler: (CallResult) -> Void
    init(_ handler: @escaping (CallResult) -> Void) { self.handler = handler }
}

/// Sends a call; `handler` runs on the loop thread. Returns the call handle (caller releases).
@discardableResult
func startCall(
    _ target: OpaquePointer, method: UInt16, interface: UInt64 = testInterfaceID,
    _ words: [UInt64], caps: [OpaquePointer?] = [], then handler: @escaping (CallResult) -> Void
) -> OpaquePointer {
    let ctx = Unmanaged.passRetained(CompletionBox(handler)).toOpaque()
    return withMessageIn(words, caps: caps) { params in
        ccapnp_call_send(target, interface, method, params, { ctx, results, error in
            let box = Unmanaged<CompletionBox>.fromOpaque(ctx!).takeRetainedValue()
            box.handler(CallResult(message: results, error: error))
        }, ctx)!
    }
}

/// Sends a call whose handle is released once it completes (releasing earlier would cancel it).
func startDetachedCall(
    _ target: OpaquePointer, method: UInt16, _ words: [UInt64], caps: [OpaquePointer?] = [],
    then handler: @escaping (CallResult) -> Void
) {
    let slot = Locked<(handle: Handle?, completed: Bool)>((nil, false))
    let call = startCall(target, method: method, words, caps: caps) { r in
        handler(r)
        // Released from inside its own completion: the shim must defer the teardown.
        let handle = slot.withLock { s -> Handle? in
            s.completed = true
            return s.handle
        }
        if let handle { ccapnp_call_release(handle.pointer) }
    }
    let completed = slot.withLock { s -> Bool in
        s.handle = Handle(call)
        return s.completed
    }
    if completed { ccapnp_call_release(call) }
}

/// Waits for a call's completion with a timeout.
final class PendingCall: @unchecked Sendable {
    let call: OpaquePointer
    private let done = DispatchSemaphore(value: 0)
    private let result = Locked<CallResult?>(nil)
    private var released = false

    init(
        _ target: OpaquePointer, method: UInt16, interface: UInt64 = testInterfaceID,
        _ words: [UInt64], caps: [OpaquePointer?] = []
    ) {
        let result = self.result
        let done = self.done
        call = startCall(target, method: method, interface: interface, words, caps: caps) { r in
            result.withLock { $0 = r }
            done.signal()
        }
    }

    /// Sends a call with a caller-built params message.
    init(_ target: OpaquePointer, method: UInt16, message: UnsafePointer<ccapnp_message_in>) {
        let result = self.result
        let done = self.done
        let ctx = Unmanaged.passRetained(CompletionBox { r in
            result.withLock { $0 = r }
            done.signal()
        }).toOpaque()
        call = ccapnp_call_send(target, testInterfaceID, method, message, { ctx, results, error in
            let box = Unmanaged<CompletionBox>.fromOpaque(ctx!).takeRetainedValue()
            box.handler(CallResult(message: results, error: error))
        }, ctx)!
    }

    /// The result, or nil on timeout.
    func wait(seconds: Double = waitSeconds) -> CallResult? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        done.signal() // let later waits see it too
        return result.withLock { $0 }
    }

    func release() {
        if !released {
            released = true
            ccapnp_call_release(call)
        }
    }

    deinit { release() }
}

/// Sends a call and waits for it.
func callAndWait(
    _ target: OpaquePointer, method: UInt16, interface: UInt64 = testInterfaceID,
    _ words: [UInt64], caps: [OpaquePointer?] = []
) -> CallResult? {
    let pending = PendingCall(target, method: method, interface: interface, words, caps: caps)
    defer { pending.release() }
    return pending.wait()
}

/// Waits until `condition` holds, polling; false on timeout.
func eventually(seconds: Double = waitSeconds, _ condition: () -> Bool) -> Bool {
    let deadline = DispatchTime.now() + seconds
    while DispatchTime.now() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

func counts() -> ccapnp_debug_counts { ccapnp_debug_get_counts() }

func sameCounts(_ a: ccapnp_debug_counts, _ b: ccapnp_debug_counts) -> Bool {
    a.connections == b.connections && a.caps == b.caps && a.calls == b.calls
        && a.server_calls == b.server_calls && a.messages == b.messages && a.servers == b.servers
}
