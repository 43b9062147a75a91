// Ipc across real processes: mp-demo-child spawned, called, killed, respawned; mp-demo killed
// under its child; spawn/teardown cycles measured inside a process of their own.

import CapnpRPC
import Foundation
import Multiprocess
import NodeInterfaces
import RPCTestKit
import TestSupport
import Testing

private var productsDirectory: String {
    (try? Process.executableDirectory()) ?? "."
}

/// Whether `pid` has ended (gone, or a zombie nobody reaped).
private func hasEnded(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(close, offsetBy: 2)] == "Z"
}

@Suite("Ipc")
struct IpcTests {
    @Test("spawnProcess: construct answered, makeEcho/echo through the Init, SIGINT ignored, close reaps exit 0")
    func spawnCallClose() async throws {
        let child = try await Ipc().spawnProcess("mp-demo-child", as: Init.Client.self)
        let echo = try await child.initClient.makeEcho()
        #expect(try await echo.echo(echo: "ping") == "ping")
        kill(child.pid, SIGINT)  // as Ctrl-C would: the child waits for us instead
        #expect(try await echo.echo(echo: "after SIGINT") == "after SIGINT")
        #expect(await child.close() == .exited(0))
        #expect(await child.close() == .exited(0), "a second close returns the same status")
    }

    @Test("a child killed with SIGKILL fails calls with .disconnected; the parent lives on and respawns")
    func killChild() async throws {
        let child = try await Ipc().spawnProcess("mp-demo-child", as: Init.Client.self)
        let echo = try await child.initClient.makeEcho()
        #expect(try await echo.echo(echo: "before") == "before")
        kill(child.pid, SIGKILL)
        let reason = await child.connection.disconnected()
        #expect(reason.cause == .peer, "\(reason)")
        do {
            _ = try await echo.echo(echo: "after")
            Issue.record("a call to a dead child succeeded")
        } catch {
            #expect(error.kind == .disconnected)
        }
        #expect(await child.close() == .signaled(SIGKILL))
        let again = try await Ipc().spawnProcess("mp-demo-child", as: Init.Client.self)
        #expect(try await again.initClient.makeEcho().echo(echo: "respawned") == "respawned")
        #expect(await again.close() == .exited(0))
    }

    @Test("a child whose parent is killed with SIGKILL exits (its socket closes)")
    func killParent() async throws {
        let parent = Foundation.Process()
        parent.executableURL = URL(fileURLWithPath: productsDirectory + "/mp-demo")
        parent.arguments = ["--pause"]
        let input = Pipe(), output = Pipe()
        parent.standardInput = input
        parent.standardOutput = output
        try parent.run()
        defer { if parent.isRunning { parent.terminate() } }
        var text = ""
        while !text.contains("child-pid ") || !text.hasSuffix("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let line = text.split(separator: "\n").first { $0.hasPrefix("child-pid ") }
        let childPid = try #require(line.flatMap { Int32($0.dropFirst("child-pid ".count)) }, "mp-demo said: \(text)")
        #expect(!hasEnded(childPid))
        kill(parent.processIdentifier, SIGKILL)
        parent.waitUntilExit()
        try await eventually("the orphaned child to exit") { hasEnded(childPid) }
    }

    @Test("200 spawn/call/close cycles leave no fd and no zombie behind (measured in mp-demo)")
    func spawnCycles() throws {
        let result = try ToolRunner.run(productsDirectory + "/mp-demo", ["--cycles", "200"])
        let report = String(decoding: result.stdout, as: UTF8.self)
        #expect(result.status == 0, "mp-demo --cycles: \(report) \(result.stderr)")
        let words = report.split(whereSeparator: { $0 == " " || $0 == "\n" })
        func value(_ key: String) -> Int? {
            words.firstIndex(of: Substring(key)).flatMap { Int(words[$0 + 1]) }
        }
        #expect(value("cycles") == 200)
        #expect(value("fds-before") != nil && value("fds-before") == value("fds-after"), "\(report)")
        #expect(value("children-after") == 0 && value("zombies") == 0, "\(report)")
    }

    @Test("the demo pair runs end to end and rejects bad arguments")
    func demoPair() throws {
        let run = try ToolRunner.run(productsDirectory + "/mp-demo", ["one", "two"])
        #expect(run.status == 0, "\(run.stderr)")
        let output = String(decoding: run.stdout, as: UTF8.self)
        #expect(output.contains("echo(\"two\") -> \"two\"") && output.contains("exited with status 0"), "\(output)")
        #expect(try ToolRunner.run(productsDirectory + "/mp-demo", ["--bogus"]).status == 1)
        let child = try ToolRunner.run(productsDirectory + "/mp-demo-child", ["-ipcfd", "x"])
        #expect(child.status == 2 && child.stderr.contains("'x'"), "\(child.stderr)")
        #expect(try ToolRunner.run(productsDirectory + "/mp-demo-child", []).status == 2)
    }

    @Test("a spawned child whose parent breaks the protocol exits 1 and says why")
    func parentSendsGarbage() throws {
        let pair = try socketPair()
        let fds = [pair.0, pair.1]
        defer { close(fds[0]) }
        // A frame whose segment table claims 2^32 segments (capnp's own reader let that wrap to 0).
        try SocketIO.writeAll(fds[0], [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0] as [UInt8])
        let run = try TestChild.run(["-ipcfd", "3"], placing: [(fds[1], 3)], executable: "mp-demo-child")
        close(fds[1])
        #expect(run.status == .exited(1))
        // Logged as a warning, and said on stderr by the child itself.
        #expect(run.stderr.contains("warning ipc: [Multiprocess] served connection on fd 3 failed: "), "stderr: \(run.stderr)")
        #expect(run.stderr.contains("mp-demo-child: the connection to the parent failed: ") && run.stderr.contains("Message has too many segments"),
                "stderr: \(run.stderr)")
    }
}

@Suite("Ipc start")
struct IpcStartTests {
    @Test("a child that never answers construct fails spawnProcess after the start timeout, killed and reaped")
    func startTimeout() async throws {
        var ipc = Ipc()
        ipc.startTimeout = .milliseconds(300)
        ipc.exitGracePeriod = .milliseconds(100)
        ipc.childEnvironment = ["MP_TEST_CHILD_MODE": "mute"]
        do {
            _ = try await ipc.spawnProcess("mp-test-child", as: Init.Client.self)
            Issue.record("spawnProcess succeeded with a child that never serves")
        } catch {
            guard case .startTimeout(let name, let pid, _) = error else {
                Issue.record("expected .startTimeout, got \(error)")
                return
            }
            #expect(name == "mp-test-child")
            #expect(hasEnded(pid))
            #expect(throws: ProcessError.self, "already reaped") { try Process.reap(pid) }
            #expect(error.description.contains("did not answer its first call"))
        }
    }

    @Test("cancelling the task that spawns fails spawnProcess with .cancelled, the child killed and reaped")
    func cancelledSpawn() async throws {
        var ipc = Ipc()
        ipc.startTimeout = .seconds(600)  // never reached: the test ends with the cancellation
        ipc.exitGracePeriod = .milliseconds(100)
        ipc.childEnvironment = ["MP_TEST_CHILD_MODE": "mute"]
        let spawning = Task { [ipc] in
            _ = try await ipc.spawnProcess("mp-test-child", as: Init.Client.self)
        }
        spawning.cancel()
        let outcome = try await withHangGuard("the cancelled spawn to end") { await spawning.result }
        guard case .failure(let error as Ipc.IpcError) = outcome, case .cancelled(let name, let pid) = error else {
            Issue.record("expected .cancelled, got \(outcome)")
            return
        }
        #expect(name == "mp-test-child")
        #expect(throws: ProcessError.self, "already reaped") { try Process.reap(pid) }
    }

    @Test("a child that exits before serving fails spawnProcess with its error")
    func childExitsEarly() async throws {
        var ipc = Ipc()
        ipc.childEnvironment = ["MP_TEST_CHILD_MODE": "exit:3"]
        do {
            _ = try await ipc.spawnProcess("mp-test-child", as: Init.Client.self)
            Issue.record("spawnProcess succeeded with a child that exited")
        } catch {
            guard case .childFailed(_, let rpcError) = error else {
                Issue.record("expected .childFailed, got \(error)")
                return
            }
            #expect(rpcError.kind == .disconnected)
        }
    }

    @Test("a missing executable fails spawnProcess with the path and errno")
    func missingExecutable() async throws {
        do {
            _ = try await Ipc().spawnProcess("no-such-child", as: Init.Client.self)
            Issue.record("spawned a missing executable")
        } catch {
            #expect(error.description.contains("no-such-child"), "\(error)")
        }
    }
}

/// mp-test-child serving RPCTestKit's TestInit: a child whose objects call the parent back.
@Suite("Ipc calls both ways")
struct IpcCallbackTests {
    private func spawnTestInit() async throws -> SpawnedProcess<TestInit.Client> {
        var ipc = Ipc()
        ipc.childEnvironment = ["MP_TEST_CHILD_MODE": "init"]
        return try await ipc.spawnProcess("mp-test-child", as: TestInit.Client.self)
    }

    @Test("the child calls back into the parent during a call made through its Init, nested three deep")
    func callbacks() async throws {
        let child = try await spawnTestInit()
        let tester = try await child.initClient.makeTester()
        let trail = try await tester.callBack(callback: TrailCallback(calling: tester).client, depth: 3)
        #expect(trail == "server3<callback3<server2<callback2<server1<callback1<server0<callback0")
        #expect(await child.close() == .exited(0))
    }

    @Test("another spawn convention: the child is started as `mp-test-child N` and serves by it")
    func fdOnlyConvention() async throws {
        var ipc = Ipc()
        ipc.childEnvironment = ["MP_TEST_CHILD_MODE": "init"]
        ipc.spawnConvention = .fdOnly
        let child = try await ipc.spawnProcess("mp-test-child", as: TestInit.Client.self)
        let tester = try await child.initClient.makeTester()
        #expect(try await tester.add(a: 2, b: 3) == 5)
        #expect(await child.close() == .exited(0))
    }

    @Test("a child killed mid-call fails that call with .disconnected; the parent lives on and respawns")
    func killMidCall() async throws {
        let child = try await spawnTestInit()
        let tester = try await child.initClient.makeTester()
        let call = Task { () -> RPCError? in
            do { try await tester.hang(); return nil } catch { return error as? RPCError }
        }
        try await eventually("the call to reach the child") { try await tester.stats().hanging == 1 }
        kill(child.pid, SIGKILL)
        let error = try await withHangGuard("the pending call to fail") { await call.value }
        #expect(error?.kind == .disconnected, "\(String(describing: error))")
        #expect(await child.connection.disconnected().cause == .peer)
        #expect(await child.close() == .signaled(SIGKILL))
        let again = try await spawnTestInit()
        #expect(try await again.initClient.makeTester().add(a: 40, b: 2) == 42)
        #expect(await again.close() == .exited(0))
    }
}
