// A child process and our connection to it: its Init while it runs, its exit status after.

import CapnpRPC
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A child started by `Ipc.spawnProcess`. `close()` ends it gracefully and reaps it.
public final class SpawnedProcess<Init: CapabilityClient>: Sendable {
    public let name: String
    public let pid: pid_t
    /// The child's Init; calls on it carry this connection's context.
    public let initClient: Init
    public let connection: Connection
    private let grace: Duration
    private let logger: Logger
    /// The one shutdown, shared by every `close()`.
    private let shutdown = Locked<Task<ExitStatus, Never>?>(nil)

    init(name: String, pid: pid_t, connected: Protocol.Connected<Init>, grace: Duration, logger: Logger) {
        self.name = name
        self.pid = pid
        self.initClient = connected.initClient
        self.connection = connected.connection
        self.grace = grace
        self.logger = logger
    }

    /// Closes the connection, then waits `grace` for the child to exit, then sends SIGTERM and
    /// waits `grace` again, then SIGKILL. Always reaps the child (no zombie). Only the first
    /// call does this; later ones return the same status.
    public func close() async -> ExitStatus {
        let task = shutdown.withLock { task in
            if task == nil { task = Task { await self.end() } }
            return task!
        }
        return await task.value
    }

    private func end() async -> ExitStatus {
        connection.close()
        if let status = await reap(within: grace) { return status }
        logger.warning("\(name) (pid \(pid)) did not exit within \(grace) of its connection closing; sending SIGTERM")
        _ = kill(pid, SIGTERM)
        if let status = await reap(within: grace) { return status }
        logger.warning("\(name) (pid \(pid)) ignored SIGTERM; sending SIGKILL")
        _ = kill(pid, SIGKILL)
        do { return try Process.waitSpawned(pid) } catch {
            logger.error("waiting for \(name) (pid \(pid)) failed: \(error)")
            return .signaled(SIGKILL)
        }
    }

    private func reap(within limit: Duration) async -> ExitStatus? {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            if let status = try? Process.reap(pid) { return status }
            if clock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}
