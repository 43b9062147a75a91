// A connection scoped to one closure (grpc-swift-2's `withGRPCClient` pattern).

/// Starts RPC on `fd` (taken, as `Connection(fd:bootstrap:options:)`), runs `body` with the
/// connection, and closes it when `body` returns, throws, or its task is cancelled.
///
/// ```swift
/// let reply = try await withConnection(fd: fd) { connection in
///     try await connection.bootstrap(as: Echo.Client.self).echo(echo: "hi")
/// }
/// ```
public nonisolated(nonsending) func withConnection<Result>(
    fd: Int32, bootstrap: Capability? = nil, options: ConnectionOptions = ConnectionOptions(),
    _ body: (Connection) async throws -> Result
) async throws -> Result {
    let connection = try Connection(fd: fd, bootstrap: bootstrap, options: options)
    defer { connection.close() }
    return try await body(connection)
}
