// P4 spawn-first-reply-ms: spawn a child, connect, pipelined bootstrap ping, first reply.

import CapnpRPC

enum P4 {
    static let warmup = 3
    static let spawns = 50

    /// One spawn: milliseconds from before the socketpair to the first reply. Then the
    /// connection is dropped, and the child killed and waited for (not timed).
    static func spawnOnce(_ clock: ContinuousClock) async throws -> Double {
        let start = clock.now
        let child = try Child.spawn()
        defer { child.kill() }  // SIGKILL + waitpid, after the connection is dropped below
        let connection = try Connection(fd: child.fd)
        defer { connection.close() }
        // The bootstrap request and the ping go out together, with no handshake before.
        try await connection.bootstrap(as: Bench.Client.self).ping()
        return Stats.microseconds(clock.now - start) / 1000
    }

    /// Milliseconds: the median over the timed spawns. The RPC runtime is set up beforehand.
    static func run() async throws -> Double {
        _ = RPCLoop.shared  // starts the loop thread, if the caller is not on it already
        let clock = ContinuousClock()
        var ms: [Double] = []
        for index in 0..<(warmup + spawns) {
            let elapsed = try await spawnOnce(clock)
            if index >= warmup { ms.append(elapsed) }
        }
        return Stats.median(ms)
    }
}
