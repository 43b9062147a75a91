// Scoped lifetimes on the Ipc facade (grpc-swift-2's `withGRPCClient` pattern): a connection or
// a child lives for one closure and is closed, or ended and reaped, however the closure ends.

import CapnpRPC

extension Ipc {
    /// Connects to the Init served at `address` (as `connectAddress`), runs `body` with it, and
    /// closes the connection when `body` returns, throws, or its task is cancelled.
    ///
    /// ```swift
    /// let reply = try await Ipc().withConnection(to: "unix:/run/node.sock", as: Init.Client.self) { node in
    ///     try await node.initClient.makeEcho().echo(echo: "hi")
    /// }
    /// ```
    ///
    /// - Throws: `IpcError.unreachable` when nothing listens at `address` (`auto` included),
    ///   `.serverFailed` when the server does not answer, or what `body` throws.
    public nonisolated(nonsending) func withConnection<Init: CapabilityClient, Result>(
        to address: String, dataDirectory: String? = nil, name: String? = nil, as type: Init.Type,
        _ body: (Protocol.Connected<Init>) async throws -> Result
    ) async throws -> Result {
        let explicit = address == "auto" ? "unix" : address
        guard let connected = try await connectAddress(explicit, dataDirectory: dataDirectory, name: name, as: type) else {
            // Not reached: only `auto` makes connectAddress return nil, and it was replaced above.
            throw IpcError.unreachable(address: address, .nothingListening(path: address))
        }
        defer { connected.connection.close() }
        return try await body(connected)
    }

    /// Spawns `name` (as `spawnProcess`), runs `body` with it, and then closes its connection and
    /// waits for it (TERM, then KILL, after `exitGracePeriod` each), so the child is reaped when
    /// `body` returns, throws, or its task is cancelled.
    ///
    /// ```swift
    /// try await Ipc().withSpawnedProcess("node-wallet", as: Init.Client.self) { wallet in
    ///     try await wallet.initClient.makeEcho().echo(echo: "hello")
    /// }
    /// ```
    public nonisolated(nonsending) func withSpawnedProcess<Init: CapabilityClient, Result>(
        _ name: String, as type: Init.Type, _ body: (SpawnedProcess<Init>) async throws -> Result
    ) async throws -> Result {
        let child = try await spawnProcess(name, as: type)
        do {
            let result = try await body(child)
            _ = await child.close()
            return result
        } catch {
            _ = await child.close()  // runs in a task of its own, so a cancelled caller still reaps
            throw error
        }
    }
}
