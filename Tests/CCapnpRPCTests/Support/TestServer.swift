// TestServer.swift: a server written against the C vtable, with one method per behaviour the
// tests pin down, and a pair of connections over a socketpair, each exporting one.

import CCapnpRPC
import Dispatch
import Glibc
import TestSupport

enum Method: UInt16 {
    case addOne = 0           // answers inside dispatch: value + 1
    case addOneLater = 1      // answers later from another thread: value + 1
    case fail = 2             // fails with kind = value and text "boom <kind>"
    case makeChild = 3        // returns a new server in pointer 0
    case callBack = 4         // calls addOne(41) on the cap in pointer 0, returns result + 1000
    case hang = 5             // answers only when cancelled
    case writeToFd = 6        // writes "hello" to the fd behind the cap in pointer 0
    case childViaPipeline = 7 // returns a child, but only once the child got a call
    case echo = 8             // returns the params message as is
    case answerCannotQueue = 9 // answers later from another thread whose submissions throw
}

func reply(_ call: OpaquePointer, _ words: [UInt64], caps: [OpaquePointer?] = []) {
    withMessageIn(words, caps: caps) { ccapnp_server_call_return(call, $0) }
}

func fail(_ call: OpaquePointer, _ kind: Int32, _ text: String) {
    text.withCString { ccapnp_server_call_fail(call, kind, $0, strlen($0)) }
}

final class TestServer: @unchecked Sendable {
    struct State {
        var calls = 0
        var cancelled = 0
        var hanging: [Handle] = []
        var lateOuter: Handle?  // childViaPipeline: the outer call to answer on our first call
        var lateSelf: Handle?   // ... and our own cap to return in it
    }

    let state = Locked(State())
    let hangingArrived = DispatchSemaphore(value: 0)
    let cancelledSignal = DispatchSemaphore(value: 0)
    static let liveServers = Locked(0)
    static let events = Locked<[String]>([])
    static func note(_ e: String) { events.withLock { $0.append(e) } }

    init() { TestServer.liveServers.withLock { $0 += 1 } }
    deinit { TestServer.liveServers.withLock { $0 -= 1 } }

    /// A capability served by this object (retained until the shim destroys the server).
    func makeCap() -> OpaquePointer { makeCapOrNil()! }

    /// As makeCap, or nil if the shim could not make it (it has then destroyed the server).
    func makeCapOrNil() -> OpaquePointer? {
        var vtable = ccapnp_server_vtable(
            dispatch: { ctx, interfaceID, method, call in
                let server = Unmanaged<TestServer>.fromOpaque(ctx!).takeUnretainedValue()
                server.dispatch(interfaceID: interfaceID, method: method, call: call!)
            },
            cancelled: { ctx, call in
                let server = Unmanaged<TestServer>.fromOpaque(ctx!).takeUnretainedValue()
                server.cancelled(call!)
            },
            get_fd: nil,
            destroy: { ctx in
                Unmanaged<TestServer>.fromOpaque(ctx!).release()
            })
        return ccapnp_server_new(&vtable, Unmanaged.passRetained(self).toOpaque())
    }

    private func dispatch(interfaceID: UInt64, method rawMethod: UInt16, call: OpaquePointer) {
        state.withLock { $0.calls += 1 }
        TestServer.note("dispatch \(rawMethod) on \(ObjectIdentifier(self))")
        guard interfaceID == testInterfaceID, let method = Method(rawValue: rawMethod) else {
            fail(call, CCAPNP_UNIMPLEMENTED, "method \(rawMethod) of \(interfaceID) not implemented")
            return
        }
        let params = ViewReader(view: ccapnp_server_call_params(call))
        switch method {
        case .addOne:
            if let (outer, me) = state.withLock({ s -> (Handle, Handle)? in
                defer { s.lateOuter = nil; s.lateSelf = nil }
                return s.lateOuter.map { ($0, s.lateSelf!) }
            }) {
                reply(outer.pointer, Wire.oneCap, caps: [me.pointer])
                ccapnp_cap_release(me.pointer)
            }
            reply(call, Wire.value((params.value ?? 0) + 1))
        case .addOneLater:
            let value = params.value ?? 0
            let handle = Handle(call)
            DispatchQueue.global().async { reply(handle.pointer, Wire.value(value + 1)) }
        case .fail:
            let kind = Int32(truncatingIfNeeded: params.value ?? 1)
            fail(call, kind, "boom \(kind)")
        case .makeChild:
            let child = TestServer().makeCap()
            reply(call, Wire.oneCap, caps: [child])
            ccapnp_cap_release(child)
        case .callBack:
            guard let callback = params.cap(pointer: 0) else {
                fail(call, CCAPNP_FAILED, "no callback")
                return
            }
            let handle = Handle(call)
            startDetachedCall(callback, method: Method.addOne.rawValue, Wire.value(41)) { r in
                if let value = r.value {
                    reply(handle.pointer, Wire.value(value + 1000))
                } else {
                    fail(handle.pointer, r.kind, "callback failed: \(r.text)")
                }
            }
        case .hang:
            state.withLock { $0.hanging.append(Handle(call)) }
            hangingArrived.signal()
        case .writeToFd:
            guard let fdCap = params.cap(pointer: 0) else {
                fail(call, CCAPNP_FAILED, "no fd cap")
                return
            }
            let box = Unmanaged.passRetained(FdRequest(Handle(call))).toOpaque()
            ccapnp_cap_get_fd(fdCap, { ctx, fd in
                let request = Unmanaged<FdRequest>.fromOpaque(ctx!).takeRetainedValue()
                guard fd >= 0 else {
                    fail(request.call.pointer, CCAPNP_FAILED, "no fd arrived")
                    return
                }
                _ = "hello".withCString { write(fd, $0, 5) }
                close(fd)
                reply(request.call.pointer, [])
            }, box)
        case .answerCannotQueue:
            let handle = Handle(call)
            DispatchQueue.global().async {
                ccapnp_debug_inject_fault(CCAPNP_FAULT_SUBMIT, 1)
                reply(handle.pointer, Wire.value(1))
                ccapnp_debug_inject_fault(CCAPNP_FAULT_SUBMIT, 0)
            }
        case .echo:
            let view = ccapnp_server_call_params(call)
            var message = ccapnp_message_in(
                segments: view.segments, segment_count: view.segment_count,
                caps: view.caps, cap_count: view.cap_count, release: nil, release_ctx: nil)
            ccapnp_server_call_return(call, &message)
        case .childViaPipeline:
            let child = TestServer()
            let childCap = child.makeCap()
            // Tell capnp where the result cap will be, so pipelined calls reach the child now.
            withMessageIn(Wire.oneCap, caps: [childCap]) { ccapnp_server_call_set_pipeline(call, $0) }
            child.state.withLock {
                $0.lateOuter = Handle(call)
                $0.lateSelf = Handle(childCap)
            }
        }
    }

    private func cancelled(_ call: OpaquePointer) {
        state.withLock {
            $0.cancelled += 1
            $0.hanging.removeAll { $0.pointer == call }
        }
        fail(call, CCAPNP_FAILED, "cancelled") // still ours to answer; the answer is dropped
        cancelledSignal.signal()
    }
}

private final class FdRequest {
    let call: Handle
    init(_ call: Handle) { self.call = call }
}

/// Lets a test see a connection's disconnect callback.
final class DisconnectWatch: @unchecked Sendable {
    let fired = DispatchSemaphore(value: 0)
    let ended = Locked<(how: Int32, reason: String)?>(nil)

    var context: UnsafeMutableRawPointer { Unmanaged.passRetained(self).toOpaque() }

    static let callback: ccapnp_disconnect_fn = { ctx, how, reason in
        let watch = Unmanaged<DisconnectWatch>.fromOpaque(ctx!).takeRetainedValue()
        watch.ended.withLock { $0 = (how, reason.map { String(cString: $0) } ?? "(NULL)") }
        watch.fired.signal()
    }

    /// How the connection ended (CCAPNP_ENDED_*), or nil if it did not in time.
    func wait() -> Int32? { waitForReason()?.how }

    func waitForReason() -> (how: Int32, reason: String)? {
        guard fired.wait(timeout: .now() + waitSeconds) == .success else { return nil }
        fired.signal() // later waits see it too
        return ended.withLock { $0 }
    }
}

/// Two connections over one socketpair in this process; each side exports a TestServer.
final class ConnectionPair {
    let serverA = TestServer()
    let serverB = TestServer()
    let watchA = DisconnectWatch()
    let watchB = DisconnectWatch()
    private(set) var connectionA: OpaquePointer?
    private(set) var connectionB: OpaquePointer?

    init(optionsB: ccapnp_connection_options? = nil) {
        let fds = try! socketPair() // a test process out of fds cannot go on
        var optionsA = ccapnp_connection_options_default()
        optionsA.is_server = 0
        var optionsB = optionsB ?? ccapnp_connection_options_default()
        optionsB.is_server = 1
        let capA = serverA.makeCap()
        let capB = serverB.makeCap()
        connectionA = ccapnp_connection_new(fds.0, &optionsA, capA, DisconnectWatch.callback, watchA.context)
        connectionB = ccapnp_connection_new(fds.1, &optionsB, capB, DisconnectWatch.callback, watchB.context)
        ccapnp_cap_release(capA)
        ccapnp_cap_release(capB)
    }

    /// B's bootstrap as seen from A (caller releases).
    func bootstrapB() -> OpaquePointer { ccapnp_connection_bootstrap(connectionA)! }
    /// A's bootstrap as seen from B (caller releases).
    func bootstrapA() -> OpaquePointer { ccapnp_connection_bootstrap(connectionB)! }

    func closeA() {
        if let c = connectionA { ccapnp_connection_release(c) }
        connectionA = nil
    }

    func closeB() {
        if let c = connectionB { ccapnp_connection_release(c) }
        connectionB = nil
    }

    func close() {
        closeA()
        closeB()
    }
}
