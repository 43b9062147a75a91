// Ipc: the facade a program uses, as Bitcoin Core's interfaces::Ipc. A parent spawns a child
// and gets its Init; a child started that way serves its Init and exits when the parent goes.

import CapnpRPC
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Spawning and serving processes over Cap'n Proto.
public struct Ipc: Sendable {
    public var `protocol`: Protocol
    /// How long a spawned child has to answer its first call (`construct`) before it is killed.
    public var startTimeout: Duration = .seconds(5)
    /// How long a child has to exit on its own once its connection is closed, before SIGTERM
    /// (and as long again before SIGKILL).
    public var exitGracePeriod: Duration = .seconds(3)
    /// Where spawned executables are looked up; nil: the running executable's directory.
    public var executableDirectory: String?
    /// Variables added to (or replacing those of) this process's environment for the child.
    public var childEnvironment: [String: String] = [:]
    /// How a spawned child is told its socket's fd, and how `startSpawnedProcess` finds it.
    public var spawnConvention: SpawnConvention = .ipcfd

    public init(protocol: Protocol = Protocol()) {
        self.protocol = `protocol`
    }

    public enum IpcError: Error, Sendable, CustomStringConvertible {
        case spawn(ProcessError)
        case connect(RPCError)
        case startTimeout(name: String, pid: pid_t, after: Duration)
        /// The spawning task was cancelled before the child answered; the child was killed and reaped.
        case cancelled(name: String, pid: pid_t)
        case childFailed(name: String, RPCError)
        /// `connectAddress`: the address is malformed, or nothing listens there.
        case unreachable(address: String, ProcessError)
        /// `connectAddress`: the server at the address did not answer `construct`.
        case serverFailed(address: String, RPCError)

        public var description: String {
            switch self {
            case .spawn(let error): "could not spawn: \(error)"
            case .connect(let error): "could not connect to the child: \(error)"
            case .startTimeout(let name, let pid, let after): "\(name) (pid \(pid)) did not answer its first call within \(after); killed it"
            case .cancelled(let name, let pid): "spawning \(name) (pid \(pid)) was cancelled before it answered; killed it"
            case .childFailed(let name, let error): "\(name) failed before serving: \(error)"
            case .unreachable(let address, let error): "cannot connect to \(address): \(error)"
            case .serverFailed(let address, let error): "the server at \(address) did not answer its first call: \(error)"
            }
        }
    }

    /// Starts `name` (found next to this executable) as a child and connects to its Init.
    /// Returns once the child has answered `construct`; a child that does not within
    /// `startTimeout` is killed and reaped.
    public func spawnProcess<Init: CapabilityClient>(_ name: String, as type: Init.Type) async throws(IpcError) -> SpawnedProcess<Init> {
        let spawned: (pid: pid_t, fd: Int32)
        do {
            spawned = try Process.spawn(executableName: name, searchDirectory: executableDirectory,
                                        environment: childEnvironment, convention: spawnConvention)
        } catch {
            throw .spawn(error)
        }
        let connected: Protocol.Connected<Init>
        do { connected = try `protocol`.connect(fd: spawned.fd, as: type, threadName: "\(name)-caller") } catch {
            _ = kill(spawned.pid, SIGKILL)
            _ = try? Process.waitSpawned(spawned.pid)
            throw .connect(error)
        }
        let child = SpawnedProcess(name: name, pid: spawned.pid, connected: connected, grace: exitGracePeriod,
                                   logger: `protocol`.logger)
        let timeout = startTimeout
        let outcome: Result<Void, RPCError>? = await withTaskGroup(of: Result<Void, RPCError>?.self) { group in
            group.addTask {
                do throws(RPCError) { try await connected.ready(); return .success(()) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success: return child
        case _ where Task.isCancelled:
            // Cancelling ends the wait at once (the sleep, or `construct` as `.cancelled`): that
            // is neither the child being slow nor the child failing.
            _ = kill(spawned.pid, SIGKILL)
            _ = await child.close()
            throw .cancelled(name: name, pid: spawned.pid)
        case .failure(let error):
            _ = await child.close()
            throw .childFailed(name: name, error)
        case nil:
            _ = kill(spawned.pid, SIGKILL)
            _ = await child.close()
            throw .startTimeout(name: name, pid: spawned.pid, after: timeout)
        }
    }

    /// Runs `cleanup` when the last capability serving `server` is released: its clients
    /// dropped it, or their connection died (Bitcoin Core's `Ipc::addCleanup`).
    public func addCleanup(for server: some CapabilityServer, _ cleanup: @escaping @Sendable () -> Void) {
        `protocol`.addCleanup(for: server, cleanup)
    }

    /// Closes every connection accepted by `listenAddress` (Bitcoin Core's
    /// `Ipc::disconnectIncoming`); the listeners go on accepting.
    public func disconnectIncoming() {
        `protocol`.disconnectIncoming()
    }

    /// Application state for IPC code (Bitcoin Core's `Ipc::context()`), shared by copies.
    public var context: IpcContext { `protocol`.context }

    /// Listens on `address` (`unix`: `<dataDirectory>/<name>.sock`; `unix:<path>`, relative to
    /// `dataDirectory` unless absolute), serving each accepted connection with a new Init from
    /// `makeInit`, until the listener is stopped:
    ///
    /// ```swift
    /// let listener = try Ipc().listenAddress("unix:/run/node.sock") { MyInit() }
    /// ```
    public func listenAddress(_ address: String, dataDirectory: String? = nil, name: String? = nil, maxConnections: Int = 64,
                              policy: PeerPolicy = .sameUser,
                              makeInit: @escaping @Sendable () -> any CapabilityServer) throws(ProcessError) -> IpcListener {
        let (fd, path) = try Process.bind(address: address, dataDirectory: dataDirectory, name: name)
        `protocol`.logger.info("listening on \(path)")
        return `protocol`.listen(fd: fd, maxConnections: maxConnections, policy: policy, makeInit: makeInit)
    }

    /// Connects to the Init served at `address`, waiting for its `construct` answer. `auto` tries
    /// `unix` and returns nil when nothing listens there; other addresses throw then
    /// (`.unreachable`). `withConnection(to:as:)` is the scoped form.
    public func connectAddress<Init: CapabilityClient>(_ address: String, dataDirectory: String? = nil, name: String? = nil,
                                                       as type: Init.Type) async throws(IpcError) -> Protocol.Connected<Init>? {
        let fd: Int32
        do {
            fd = try Process.connect(address: address == "auto" ? "unix" : address, dataDirectory: dataDirectory, name: name)
        } catch {
            if case .nothingListening = error, address == "auto" { return nil }
            throw .unreachable(address: address, error)
        }
        let connected: Protocol.Connected<Init>
        do { connected = try `protocol`.connect(fd: fd, as: type) } catch { throw .serverFailed(address: address, error) }
        do { try await connected.ready() } catch {
            connected.connection.close()
            throw .serverFailed(address: address, error)
        }
        return connected
    }

    /// In a process started by `spawnProcess`: serves `init` on the inherited socket until the
    /// parent closes it. Returns nil when `arguments` are not those of a spawned process (the
    /// caller then runs normally), else the exit status the process should exit with: 0 when
    /// the parent closed the connection, 1 when it failed (what the parent sent broke a limit
    /// or the protocol; the reason goes to stderr), or checkSpawned's status for bad arguments.
    /// SIGINT is ignored meanwhile: the child ends when its parent does.
    public nonisolated(nonsending) func startSpawnedProcess(_ arguments: [String], init server: some CapabilityServer) async -> Int32? {
        let fd: Int32
        do {
            guard let spawnedFd = try Process.checkSpawned(arguments, convention: spawnConvention) else { return nil }
            fd = spawnedFd
        } catch {
            printToStandardError("\(arguments.first ?? "child"): \(error)")
            return error.exitStatus
        }
        Process.ignoreInterrupts()
        do {
            let ended = try await `protocol`.serve(fd: fd, init: server)
            guard ended.cause == .failed else { return 0 }
            printToStandardError("\(arguments.first ?? "child"): the connection to the parent failed: \(ended.reason)")
            return 1
        } catch {
            `protocol`.logger.error("serving on fd \(fd) failed: \(error)")
            printToStandardError("\(arguments.first ?? "child"): serving on fd \(fd) failed: \(error)")
            return 1
        }
    }
}

func printToStandardError(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
