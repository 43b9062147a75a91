// Where the calling task runs, and the setup P1-P3 share: one spawned child, one connection.

import CapnpRPC
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

enum Caller {
    /// The executor the figure's task prefers, from `BENCH_CALLER`:
    /// - `loop` (default): `RPCLoop.shared`, the RPC loop thread, so sending a call and resuming
    ///   after its answer need no thread hop. The fastest of the library's options here.
    /// - `global`: none (the global concurrent executor); every call hops onto the loop and back.
    static let executor: (any TaskExecutor)? = {
        switch getenv("BENCH_CALLER").map({ String(cString: $0) }) {
        case nil, "", "loop": return RPCLoop.shared
        case "global": return nil
        case let other?:
            printError("BENCH_CALLER must be 'loop' or 'global', got '\(other)'")
            exit(2)
        }
    }()

    /// Runs `body` in a detached task and blocks the calling (main) thread until it ends.
    /// main.swift stays synchronous so that the main thread never parks in `dispatch_main`:
    /// valgrind 3.19 crashes on its `sigsuspend` (a mask in read-only memory), and callgrind
    /// is how this benchmark is profiled. Nothing here needs the main actor.
    static func block<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()  // orders the write above before the read below
        }
        done.wait()
        return try box.result!.get()
    }

    /// Runs `body` in a task on the chosen executor and waits for it.
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task(executorPreference: executor) { try await body() }.value
    }

    /// The P1-P3 setup: spawns a child, connects, runs `body` with the bootstrap `Bench`
    /// (asked for at once, calls pipelined on it), then closes the connection and waits for
    /// the child (SIGKILL after 2 s).
    static func withChild<T: Sendable>(_ body: @escaping @Sendable (Bench.Client) async throws -> T) async throws -> T {
        let child = try Child.spawn()
        let connection: Connection
        do {
            connection = try Connection(fd: child.fd)
        } catch {
            child.kill()
            throw error
        }
        let result: Result<T, any Error>
        do {
            // The client lives inside the task only; when it ends, the connection is all that
            // keeps the socket open.
            result = .success(try await run { try await body(connection.bootstrap(as: Bench.Client.self)) })
        } catch {
            result = .failure(error)
        }
        // Here, off the loop thread: the loop closes the socket while we wait for the child.
        connection.close()
        child.reap()
        return try result.get()
    }
}

/// The result of `Caller.block`'s task, written before the semaphore is signalled.
private final class ResultBox<T>: @unchecked Sendable {
    // @unchecked Sendable: written by the task before the semaphore signal, read by the waiter after it.
    var result: Result<T, any Error>?
}
