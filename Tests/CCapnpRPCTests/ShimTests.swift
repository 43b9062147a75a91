// ShimTests.swift: drives the C API from Swift over a socketpair in one process: two
// connections, each exporting a TestServer. Every test ends by checking that all handles,
// messages, calls and servers it created are gone. The debug counters are process-wide, hence
// the serialized suite, and scripts/test runs this target in a test process of its own.

import CCapnpRPC
import Dispatch
import Glibc
import Testing

@Suite(.serialized)
struct ShimTests {
    /// Runs `body` with a fresh pair, closes it, and checks nothing leaked.
    func withPair(
        optionsB: ccapnp_connection_options? = nil, _ body: (ConnectionPair) throws -> Void
    ) rethrows {
        #expect(ccapnp_loop_start() == 0)
        let before = counts()
        let swiftServersBefore = TestServer.liveServers.withLock { $0 }
        do {
            let pair = ConnectionPair(optionsB: optionsB)
            defer { pair.close() }
            try body(pair)
        }
        let settled = eventually { sameCounts(counts(), before) }
        #expect(settled, "live handles after the test: \(counts()) (before: \(before))")
        let serversGone = eventually { TestServer.liveServers.withLock { $0 } == swiftServersBefore }
        #expect(serversGone, "Swift server objects were not released")
    }

    @Test func callReturnsItsResult() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let r = try #require(callAndWait(b, method: Method.addOne.rawValue, Wire.value(41)))
            #expect(r.kind == CCAPNP_OK)
            #expect(r.value == 42)
        }
    }

    @Test func serverMayAnswerLaterFromAnotherThread() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            for i in 0..<20 as Range<UInt64> {
                let r = try #require(callAndWait(b, method: Method.addOneLater.rawValue, Wire.value(i)))
                #expect(r.value == i + 1)
            }
        }
    }

    @Test func bothSidesExportABootstrap() throws {
        try withPair { pair in
            let a = pair.bootstrapA()
            defer { ccapnp_cap_release(a) }
            let r = try #require(callAndWait(a, method: Method.addOne.rawValue, Wire.value(1)))
            #expect(r.value == 2)
            #expect(pair.serverA.state.withLock { $0.calls } == 1)
        }
    }

    @Test func callsMadeOnTheLoopThreadRunInline() {
        withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let done = DispatchSemaphore(value: 0)
            let observed = Locked<(onLoop: Int32, value: UInt64?)>((0, nil))
            final class Context { let target: Handle; let done: DispatchSemaphore; let observed: Locked<(onLoop: Int32, value: UInt64?)>
                init(_ t: Handle, _ d: DispatchSemaphore, _ o: Locked<(onLoop: Int32, value: UInt64?)>) { target = t; done = d; observed = o }
            }
            let ctx = Unmanaged.passRetained(Context(Handle(b), done, observed)).toOpaque()
            ccapnp_post({ ctx in
                let c = Unmanaged<Context>.fromOpaque(ctx!).takeRetainedValue()
                let onLoop = ccapnp_on_loop_thread()
                startDetachedCall(c.target.pointer, method: Method.addOne.rawValue, Wire.value(7)) { r in
                    c.observed.withLock { $0 = (onLoop, r.value) }
                    c.done.signal()
                }
            }, ctx)
            #expect(done.wait(timeout: .now() + waitSeconds) == .success)
            #expect(observed.withLock { $0.onLoop } == 1)
            #expect(observed.withLock { $0.value } == 8)
        }
    }

    @Test func errorsKeepTheirKindAndText() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            for kind in [CCAPNP_FAILED, CCAPNP_OVERLOADED, CCAPNP_DISCONNECTED, CCAPNP_UNIMPLEMENTED] {
                let r = try #require(callAndWait(b, method: Method.fail.rawValue, Wire.value(UInt64(kind))))
                #expect(r.kind == kind)
                #expect(r.text == "boom \(kind)", "text was: \(r.text)")
                #expect(r.remote)
                #expect(r.message == nil)
            }
        }
    }

    @Test func unknownMethodsAreUnimplemented() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let r1 = try #require(callAndWait(b, method: 99, Wire.value(0)))
            #expect(r1.kind == CCAPNP_UNIMPLEMENTED)
            let r2 = try #require(callAndWait(b, method: 0, interface: 0xDEAD, Wire.value(0)))
            #expect(r2.kind == CCAPNP_UNIMPLEMENTED)
        }
    }

    @Test func returnedCapabilityCanBeCalled() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let r = try #require(callAndWait(b, method: Method.makeChild.rawValue, []))
            let child = try #require(r.reader?.cap(pointer: 0))
            let r2 = try #require(callAndWait(child, method: Method.addOne.rawValue, Wire.value(9)))
            #expect(r2.value == 10)
        }
    }

    @Test func pipelinedCallIsSentBeforeTheResultReturns() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            // The server answers the outer call only when its child receives a call, which
            // can only happen if that call was pipelined (sent before the outer Return).
            TestServer.events.withLock { $0 = [] }
            let outer = PendingCall(b, method: Method.childViaPipeline.rawValue, [])
            var path: [UInt16] = [0]
            let child = try #require(ccapnp_call_pipeline(outer.call, &path, 1))
            defer { ccapnp_cap_release(child) }
            let innerResult = callAndWait(child, method: Method.addOne.rawValue, Wire.value(5))
            if innerResult == nil { print("pipelined call timed out; server events:", TestServer.events.withLock { $0 }, counts()) }
            let inner = try #require(innerResult)
            #expect(inner.value == 6)
            let outerResult = try #require(outer.wait())
            #expect(outerResult.kind == CCAPNP_OK)
            #expect(outerResult.reader?.cap(pointer: 0) != nil)
            outer.release()
        }
    }

    @Test func pipelineOnAnOrdinaryResult() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let outer = PendingCall(b, method: Method.makeChild.rawValue, [])
            var path: [UInt16] = [0]
            let child = try #require(ccapnp_call_pipeline(outer.call, &path, 1))
            outer.release() // pipelined caps outlive the call handle
            defer { ccapnp_cap_release(child) }
            let r = try #require(callAndWait(child, method: Method.addOne.rawValue, Wire.value(1)))
            #expect(r.value == 2)
        }
    }

    @Test func capabilityPassedAsParamIsCalledBack() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let local = TestServer()
            let callback = local.makeCap()
            let r = try #require(callAndWait(b, method: Method.callBack.rawValue, Wire.oneCap, caps: [callback]))
            ccapnp_cap_release(callback)
            #expect(r.kind == CCAPNP_OK, "\(r.text)")
            #expect(r.value == 1042)
            #expect(local.state.withLock { $0.calls } == 1)
        }
    }

    @Test func droppingAPendingCallCancelsItOnTheServer() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let pending = PendingCall(b, method: Method.hang.rawValue, [])
            #expect(pair.serverB.hangingArrived.wait(timeout: .now() + waitSeconds) == .success)
            pending.release()
            let r = try #require(pending.wait())
            #expect(r.kind == CCAPNP_CANCELLED)
            #expect(pair.serverB.cancelledSignal.wait(timeout: .now() + waitSeconds) == .success)
            #expect(pair.serverB.state.withLock { $0.cancelled } == 1)
        }
    }

    @Test func cancelKeepsTheHandleButFiresTheCompletion() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let pending = PendingCall(b, method: Method.hang.rawValue, [])
            #expect(pair.serverB.hangingArrived.wait(timeout: .now() + waitSeconds) == .success)
            ccapnp_call_cancel(pending.call)
            let r = try #require(pending.wait())
            #expect(r.kind == CCAPNP_CANCELLED)
            #expect(pair.serverB.cancelledSignal.wait(timeout: .now() + waitSeconds) == .success)
            pending.release()
        }
    }

    @Test func peerDisconnectFailsPendingCallsPromptly() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let pending = PendingCall(b, method: Method.hang.rawValue, [])
            #expect(pair.serverB.hangingArrived.wait(timeout: .now() + waitSeconds) == .success)
            pair.closeB()
            let r = try #require(pending.wait())
            #expect(r.kind == CCAPNP_DISCONNECTED, "\(r.text)")
            #expect(pair.watchA.wait() == CCAPNP_ENDED_PEER)  // A saw the peer go
            #expect(pair.watchB.wait() == CCAPNP_ENDED_LOCAL)  // B closed itself
            // The server's pending call was dropped too.
            #expect(pair.serverB.cancelledSignal.wait(timeout: .now() + waitSeconds) == .success)
            // And new calls on the dead connection fail the same way.
            let again = try #require(callAndWait(b, method: Method.addOne.rawValue, Wire.value(1)))
            #expect(again.kind == CCAPNP_DISCONNECTED)
            pending.release()
        }
    }

    @Test func fdPassesToThePeer() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            var fds: [Int32] = [-1, -1]
            #expect(pipe(&fds) == 0)
            let fdCap = try #require(ccapnp_cap_new_fd(fds[1]))  // takes the write end
            let r = try #require(callAndWait(b, method: Method.writeToFd.rawValue, Wire.oneCap, caps: [fdCap]))
            ccapnp_cap_release(fdCap)
            #expect(r.kind == CCAPNP_OK, "\(r.text)")
            var buffer = [UInt8](repeating: 0, count: 16)
            let n = read(fds[0], &buffer, 16)
            #expect(n == 5)
            #expect(String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self) == "hello")
            close(fds[0])
        }
    }

    @Test func localFdCapabilityHandsOutADuplicate() throws {
        #expect(ccapnp_loop_start() == 0)
        let before = counts()
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        let cap = try #require(ccapnp_cap_new_fd(fds[1]))
        let got = Locked<Int32>(-2)
        let done = DispatchSemaphore(value: 0)
        final class Box { let got: Locked<Int32>; let done: DispatchSemaphore
            init(_ g: Locked<Int32>, _ d: DispatchSemaphore) { got = g; done = d } }
        ccapnp_cap_get_fd(cap, { ctx, fd in
            let box = Unmanaged<Box>.fromOpaque(ctx!).takeRetainedValue()
            box.got.withLock { $0 = fd }
            box.done.signal()
        }, Unmanaged.passRetained(Box(got, done)).toOpaque())
        #expect(done.wait(timeout: .now() + waitSeconds) == .success)
        let fd = got.withLock { $0 }
        #expect(fd >= 0 && fd != fds[1])
        ccapnp_cap_release(cap)
        if fd >= 0 {
            #expect(write(fd, "x", 1) == 1)
            close(fd)
        }
        var byte: UInt8 = 0
        #expect(read(fds[0], &byte, 1) == 1)
        close(fds[0])
        #expect(eventually { sameCounts(counts(), before) })
    }

    @Test func handlesAreReleasedAfterCapabilitiesCrossBothWays() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            // Results carrying caps, params carrying caps, a pipelined cap, a broken cap.
            for _ in 0..<5 {
                let r = try #require(callAndWait(b, method: Method.makeChild.rawValue, []))
                let child = try #require(r.reader?.cap(pointer: 0))
                ccapnp_cap_retain(child)  // outlives the message
                _ = r
                let local = TestServer()
                let callback = local.makeCap()
                let r2 = try #require(callAndWait(child, method: Method.callBack.rawValue, Wire.oneCap, caps: [callback]))
                #expect(r2.value == 1042)
                ccapnp_cap_release(callback)
                ccapnp_cap_release(child)
            }
            let broken = try #require(ccapnp_cap_new_broken(CCAPNP_OVERLOADED, "nope"))
            let r3 = try #require(callAndWait(broken, method: 0, []))
            #expect(r3.kind == CCAPNP_OVERLOADED)
            #expect(r3.text == "nope")
            #expect(!r3.remote)
            ccapnp_cap_release(broken)
            #expect(counts().servers > 0)
        }
    }

    @Test func oversizedIncomingMessageFailsTheConnection() throws {
        var options = ccapnp_connection_options_default()
        options.traversal_limit_words = 256
        try withPair(optionsB: options) { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let small = try #require(callAndWait(b, method: Method.addOne.rawValue, Wire.value(1)))
            #expect(small.value == 2)
            // A root struct with 1000 data words: far over B's 256-word limit.
            let big = [Wire.structPointer(dataWords: 1000, pointers: 0)] + [UInt64](repeating: 7, count: 1000)
            let r = try #require(callAndWait(b, method: Method.addOne.rawValue, big))
            #expect(r.kind == CCAPNP_DISCONNECTED || r.kind == CCAPNP_FAILED, "\(r.kind) \(r.text)")
            // B refused it from the segment table, says so, and told A why.
            let endB = try #require(pair.watchB.waitForReason())
            #expect(endB.how == CCAPNP_ENDED_FAILED)
            #expect(endB.reason.contains("Message is too large"), "\(endB.reason)")
            let endA = try #require(pair.watchA.waitForReason())
            #expect(endA.how == CCAPNP_ENDED_FAILED)
            #expect(endA.reason.hasPrefix("the peer aborted: ") && endA.reason.contains("Message is too large"), "\(endA.reason)")
        }
    }

    @Test func badSocketReportsDisconnectAndBreaksBootstrap() throws {
        #expect(ccapnp_loop_start() == 0)
        let before = counts()
        let watch = DisconnectWatch()
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        // A pipe is no socket: the connection must fail cleanly, not crash or hang.
        let connection = try #require(ccapnp_connection_new(fds[1], nil, nil, DisconnectWatch.callback, watch.context))
        let b = try #require(ccapnp_connection_bootstrap(connection))
        let r = try #require(callAndWait(b, method: 0, Wire.value(1)))
        #expect(r.kind != CCAPNP_OK)
        let ended = try #require(watch.waitForReason())
        #expect(ended.how != CCAPNP_ENDED_LOCAL, "\(ended)")
        #expect(!ended.reason.isEmpty)
        ccapnp_cap_release(b)
        ccapnp_connection_release(connection)
        #expect(eventually { sameCounts(counts(), before) })
    }

    @Test func largeMessageRoundTrips() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let words = 128 * 1024  // 1 MiB of data words
            var big = [Wire.structPointer(dataWords: 0, pointers: 1)]
            // Root struct with one pointer to a list of `words` 64-bit elements (element size 5).
            big.append(1 | UInt64(5) << 32 | UInt64(words) << 35)
            big += (0..<words).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
            let r = try #require(callAndWait(b, method: Method.echo.rawValue, big))
            #expect(r.kind == CCAPNP_OK, "\(r.text)")
            let view = try #require(r.message.map { ccapnp_message_get_view($0) })
            // The copy may put the list in a segment of its own (reached by a far pointer):
            // it must arrive whole, at the end of the last segment.
            let last = view.segments[view.segment_count - 1]
            try #require(last.words >= words)
            let echoed = UnsafeBufferPointer(start: last.data.assumingMemoryBound(to: UInt64.self), count: last.words)
            #expect(Array(echoed.suffix(words)) == Array(big.suffix(words)))
        }
    }

    @Test func borrowedParamsAreReleasedExactlyOnce() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            final class Buffer {
                let words: UnsafeMutableBufferPointer<UInt64>
                let releases: Locked<Int>
                init(_ values: [UInt64], _ releases: Locked<Int>) {
                    words = .allocate(capacity: values.count)
                    _ = words.initialize(from: values)
                    self.releases = releases
                }
                deinit { words.deallocate() }
            }
            let releases = Locked(0)
            let buffer = Buffer(Wire.value(99), releases)
            var segment = ccapnp_segment(data: UnsafeRawPointer(buffer.words.baseAddress), words: buffer.words.count)
            let ctx = Unmanaged.passRetained(buffer).toOpaque()
            let pending = withUnsafePointer(to: &segment) { segmentPointer -> PendingCall in
                var message = ccapnp_message_in(
                    segments: segmentPointer, segment_count: 1, caps: nil, cap_count: 0,
                    release: { ctx in
                        let buffer = Unmanaged<Buffer>.fromOpaque(ctx!).takeRetainedValue()
                        buffer.releases.withLock { $0 += 1 }
                    }, release_ctx: ctx)
                return PendingCall(b, method: Method.addOne.rawValue, message: &message)
            }
            let r = try #require(pending.wait())
            #expect(r.value == 100)
            pending.release()
            #expect(eventually { releases.withLock { $0 } == 1 })
        }
    }

    @Test func capabilityIndexOutOfRangeFailsTheCallOnly() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let bad = [Wire.structPointer(dataWords: 0, pointers: 1), Wire.capPointer(7)]
            let r = try #require(callAndWait(b, method: Method.callBack.rawValue, bad))
            #expect(r.kind == CCAPNP_FAILED, "\(r.text)")
            let ok = try #require(callAndWait(b, method: Method.addOne.rawValue, Wire.value(1)))
            #expect(ok.value == 2)
        }
    }

    @Test func postRunsOnTheLoopThreadInOrder() {
        #expect(ccapnp_loop_start() == 0)
        #expect(ccapnp_on_loop_thread() == 0)
        final class Log { let entries = Locked<[Int32]>([]); let done = DispatchSemaphore(value: 0) }
        let log = Log()
        for i in 0..<100 {
            final class Item { let log: Log; let i: Int; init(_ l: Log, _ i: Int) { log = l; self.i = i } }
            ccapnp_post({ ctx in
                let item = Unmanaged<Item>.fromOpaque(ctx!).takeRetainedValue()
                item.log.entries.withLock { $0.append(ccapnp_on_loop_thread() == 1 ? Int32(item.i) : -1) }
                if item.i == 99 { item.log.done.signal() }
            }, Unmanaged.passRetained(Item(log, i)).toOpaque())
        }
        #expect(log.done.wait(timeout: .now() + waitSeconds) == .success)
        #expect(log.entries.withLock { $0 } == Array(0..<100))
    }
}
