// ShimFailureTests.swift: the failure paths of the C entry points, reached with the shim's
// fault injection. Each checks the header's promise: the callback still runs exactly once, with
// the failure; the caller's resources (fd, params, retained caps) come back; and the caught
// exception was logged (counted). Part of ShimTests' serialized suite: the counters are global.

import CCapnpRPC
import Dispatch
import Glibc
import Testing
import TestSupport

/// Arms `fault` for the next `count` steps on this thread while `body` runs, then disarms it.
private func withFault<R>(_ fault: Int32, count: Int32 = 1, _ body: () throws -> R) rethrows -> R {
    ccapnp_debug_inject_fault(fault, count)
    defer { ccapnp_debug_inject_fault(fault, 0) }
    return try body()
}

private func caught() -> Int64 { ccapnp_debug_get_counts().caught_exceptions }

/// Records every invocation of a C callback, so a test can count them.
private final class Calls<Value>: @unchecked Sendable {
    let values = Locked<[Value]>([])
    var context: UnsafeMutableRawPointer { Unmanaged.passRetained(self).toOpaque() }
    static func record(_ context: UnsafeMutableRawPointer?, _ value: Value) {
        Unmanaged<Calls<Value>>.fromOpaque(context!).takeRetainedValue().values.withLock { $0.append(value) }
    }
}

extension ShimTests {
    // Mutation caught: ccapnp_cap_get_fd returning without `done` when the loop cannot start
    // (Capability.fileDescriptor() then waits forever).
    @Test func getFdCompletesWhenTheLoopCannotStart() throws {
        try getFdCompletes(under: CCAPNP_FAULT_LOOP_START)
    }

    // Mutation caught: ccapnp_cap_get_fd swallowing a throwing submit (and the retained cap leaking).
    @Test func getFdCompletesWhenSubmitThrows() throws {
        try getFdCompletes(under: CCAPNP_FAULT_SUBMIT)
    }

    private func getFdCompletes(under fault: Int32) throws {
        #expect(ccapnp_loop_start() == 0)
        let before = counts()
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let cap = try #require(ccapnp_cap_new_fd(fds[1]))
        let results = Calls<Int32>()
        withFault(fault) {
            ccapnp_cap_get_fd(cap, { Calls<Int32>.record($0, $1) }, results.context)
        }
        // Promised on the calling thread, before the entry returned.
        #expect(results.values.withLock { $0 } == [-1])
        #expect(caught() > before.caught_exceptions, "the failure was not logged")
        ccapnp_cap_release(cap)
        #expect(eventually { sameCounts(counts(), before) }, "\(counts()) vs \(before)")
    }

    // Mutations caught: call_send returning NULL without running `done`, or without releasing
    // borrowed params (both leak the caller's context or buffer); and enqueue dropping work
    // silently when there is no loop (call_send off the loop relies on enqueue's check).
    @Test func callSendFailsItsCompletionWhenTheLoopCannotStart() throws {
        let r = try sendFailing(under: CCAPNP_FAULT_LOOP_START)
        #expect(r.contains("could not start; the work was not queued"), "\(r)")
    }

    @Test func callSendFailsItsCompletionWhenSubmitThrows() throws {
        let r = try sendFailing(under: CCAPNP_FAULT_SUBMIT)
        #expect(r.contains("injected fault"), "\(r)")
    }

    /// Sends a call from this (non-loop) thread under `fault` and returns the completion's text.
    private func sendFailing(under fault: Int32) throws -> String {
        var text = ""
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let before = caught()
            let completions = Calls<(kind: Int32, text: String)>()
            let releases = Calls<Int>()
            let words = Wire.value(1)
            let call: OpaquePointer? = words.withUnsafeBufferPointer { buffer in
                var segment = ccapnp_segment(data: UnsafeRawPointer(buffer.baseAddress), words: buffer.count)
                return withUnsafePointer(to: &segment) { segmentPointer in
                    var message = ccapnp_message_in(
                        segments: segmentPointer, segment_count: 1, caps: nil, cap_count: 0,
                        release: { Calls<Int>.record($0, 1) }, release_ctx: releases.context)
                    return withFault(fault) {
                        ccapnp_call_send(b, testInterfaceID, Method.addOne.rawValue, &message, { ctx, results, error in
                            Calls<(kind: Int32, text: String)>.record(ctx, (
                                results == nil ? error!.pointee.kind : CCAPNP_OK,
                                error.map { String(cString: $0.pointee.description) } ?? ""))
                            if let results { ccapnp_message_release(results) }
                        }, completions.context)
                    }
                }
            }
            #expect(call == nil)
            let got = completions.values.withLock { $0 }
            #expect(got.count == 1)
            #expect(got.first?.kind == CCAPNP_FAILED)
            text = got.first?.text ?? ""
            #expect(releases.values.withLock { $0 } == [1], "params released other than exactly once")
            #expect(caught() > before, "the failure was not logged")
            // The connection is unharmed.
            let ok = try #require(callAndWait(b, method: Method.addOne.rawValue, Wire.value(1)))
            #expect(ok.value == 2)
        }
        return text
    }

    // Mutation caught: connection_new returning NULL without closing the fd or without
    // reporting the end (Swift's Connection then never learns why).
    @Test func connectionThatCannotStartClosesItsFdAndSaysWhy() throws {
        for fault in [CCAPNP_FAULT_LOOP_START, CCAPNP_FAULT_SUBMIT] {
            #expect(ccapnp_loop_start() == 0)
            let before = counts()
            let (mine, theirs) = try socketPair()
            defer { close(theirs) }
            let watch = DisconnectWatch()
            let connection = withFault(fault) {
                ccapnp_connection_new(mine, nil, nil, DisconnectWatch.callback, watch.context)
            }
            #expect(connection == nil)
            let ended = try #require(watch.waitForReason())
            #expect(ended.how == CCAPNP_ENDED_FAILED)
            #expect(ended.reason.hasPrefix("could not start RPC: "), "\(ended.reason)")
            // The peer sees the fd closed: EOF.
            #expect(try SocketIO.readSome(theirs, upTo: 1, seconds: 5) == [])
            #expect(caught() > before.caught_exceptions)
            #expect(eventually { sameCounts(counts(), before) })
        }
    }

    // Mutation caught: server_new returning NULL without `destroy` (the Swift server leaks).
    @Test func serverThatCannotBeMadeIsDestroyed() {
        #expect(ccapnp_loop_start() == 0)
        let before = TestServer.liveServers.withLock { $0 }
        let cap = withFault(CCAPNP_FAULT_SUBMIT) { TestServer().makeCapOrNil() }
        #expect(cap == nil)
        #expect(TestServer.liveServers.withLock { $0 } == before, "destroy did not run")
    }

    // Mutation caught: server_call_return swallowing a throwing submit, so the caller waits forever.
    @Test func answerThatCannotBeQueuedStillFailsTheCall() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let before = caught()
            let r = try #require(callAndWait(b, method: Method.answerCannotQueue.rawValue, []))
            #expect(r.kind == CCAPNP_FAILED)
            #expect(r.text.contains("injected fault"), "\(r.text)")
            #expect(caught() > before)
        }
    }

    // Mutation caught: cap_new_fd returning NULL without closing the fd it took.
    @Test func fdCapabilityThatCannotBeMadeClosesItsFd() throws {
        #expect(ccapnp_loop_start() == 0)
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        #expect(withFault(CCAPNP_FAULT_LOOP_START) { ccapnp_cap_new_fd(fds[1]) } == nil)
        var byte: UInt8 = 0
        #expect(read(fds[0], &byte, 1) == 0, "the write end is still open")
        #expect(withFault(CCAPNP_FAULT_LOOP_START) { ccapnp_cap_new_broken(CCAPNP_FAILED, "x") } == nil)
    }

    // Mutations caught: bootstrap and pipeline leaking the connection or call reference they
    // took for work that never ran (the counters would not settle), or crashing.
    @Test func bootstrapAndPipelineThatCannotBeQueuedReturnNull() throws {
        try withPair { pair in
            let b = pair.bootstrapB()
            defer { ccapnp_cap_release(b) }
            let before = caught()
            #expect(withFault(CCAPNP_FAULT_SUBMIT) { ccapnp_connection_bootstrap(pair.connectionA) } == nil)
            let outer = PendingCall(b, method: Method.makeChild.rawValue, [])
            var path: [UInt16] = [0]
            #expect(withFault(CCAPNP_FAULT_SUBMIT) { ccapnp_call_pipeline(outer.call, &path, 1) } == nil)
            let answered = try #require(outer.wait())
            #expect(answered.kind == CCAPNP_OK)
            outer.release()
            #expect(caught() >= before + 2)
        }
    }

    @Test func postAndLoopStartReportWhatTheyCouldNotDo() {
        #expect(ccapnp_loop_start() == 0)
        #expect(withFault(CCAPNP_FAULT_LOOP_START) { ccapnp_loop_start() } == -1)
        #expect(ccapnp_loop_start() == 0)  // one-shot
        let ran = Calls<Int>()
        let context = ran.context
        let rc = withFault(CCAPNP_FAULT_SUBMIT) { ccapnp_post({ Calls<Int>.record($0, 1) }, context) }
        #expect(rc == -1)
        if rc == -1 { Unmanaged<Calls<Int>>.fromOpaque(context).release() }  // never runs: ours to free
        #expect(ccapnp_post({ Calls<Int>.record($0, 1) }, ran.context) == 0)
        #expect(eventually { ran.values.withLock { $0 } == [1] })
    }
}
