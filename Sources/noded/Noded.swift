// noded: the node process. It opens the chain state in its datadir, serves Init (Echo, Chain,
// Node) on node.sock, and stops on SIGINT/SIGTERM or Node.stop.

import ArgumentParser
import CapnpRPC
import Consensus
import Dispatch
import Logging
import Multiprocess
import NodeKit
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

@main
struct Noded: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noded",
        abstract: "A Bitcoin-format regtest node that serves its Chain and Node interfaces over a unix socket.",
        helpNames: [.customLong("help", withSingleDash: true), .long])

    @Option(name: .customLong("datadir", withSingleDash: true), help: "Data directory (created; default ~/.noded).")
    var datadir: String?

    @Option(name: .customLong("ipcbind", withSingleDash: true),
            help: "Where to listen: unix (<datadir>/node.sock) or unix:<path> (relative to the datadir unless absolute).")
    var ipcbind: String = "unix"

    @Option(name: .customLong("debug", withSingleDash: true), help: "Debug category to log: ipc (every IPC call traced).")
    var debug: [String] = []

    @Flag(name: .customLong("printtoconsole", withSingleDash: true), help: "Log to standard output as well as <datadir>/debug.log.")
    var printToConsole = false

    @Option(name: .customLong("wallet", withSingleDash: true), help: "A wallet to load at start (repeatable).")
    var wallets: [String] = []

    @Flag(name: .customLong("nowallet", withSingleDash: true), help: "Run no wallet process.")
    var noWallet = false

    static let stopTimeoutSeconds = 10

    func validate() throws {
        for category in debug where category != "ipc" {
            throw ValidationError("unknown -debug category '\(category)' (known: ipc)")
        }
        guard ipcbind == "unix" || ipcbind.hasPrefix("unix:") else {
            throw ValidationError("-ipcbind must be unix or unix:<path>, not '\(ipcbind)'")
        }
    }

    func run() async throws {
        let directory = try DataDirectory.open(datadir)
        let log = try LogFile(path: directory.path + "/debug.log", console: printToConsole)
        let traceIpc = debug.contains("ipc")
        LoggingSystem.bootstrap { label in
            var handler = FileLogHandler(label: label, file: log)
            handler.logLevel = traceIpc ? .trace : .info
            return handler
        }
        let logger = Logger(label: "noded")
        if traceIpc { RPCTracing.enable(Logger(label: "ipc")) }
        logger.info("noded starting: datadir \(directory.path), pid \(getpid())")

        let chain: ChainState
        do { chain = try ChainState(datadir: directory.path) } catch {
            logger.error("cannot open the chain state: \(error)")
            throw Failure("cannot open the chain state in \(directory.path): \(error)")
        }
        let tip = await chain.tip
        logger.info("chain tip \(tip.hash.hex) at height \(tip.height)")

        let stopped = StopSignal()
        let node = NodeRuntime(chain: chain) { stopped.fire() }
        let ipc = Ipc(protocol: Protocol(logger: Logger(label: "ipc")))
        node.walletLog.withLock { $0 = { [logger] in logger.info("\($0)") } }
        let listener: IpcListener
        do {
            listener = try ipc.listenAddress(ipcbind, dataDirectory: directory.path, name: "node") { NodeInit(node: node) }
        } catch {
            logger.error("cannot listen on \(ipcbind): \(error)")
            throw Failure("cannot listen on \(ipcbind): \(error)")
        }
        let signals = Signals.watch([SIGINT, SIGTERM]) { signal in
            logger.info("signal \(signal): stopping")
            node.requestStop()
        }
        let walletChild = noWallet ? nil : await startWallet(node: node, ipc: ipc, datadir: directory.path, logger: logger)
        logger.info("ready")

        await stopped.wait()
        // A stop that does not finish in time is a bug: say so rather than hang.
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Self.stopTimeoutSeconds)) {
            logger.critical("did not stop within \(Self.stopTimeoutSeconds) s; exiting")
            log.flush()
            _exit(1)
        }
        // Stop accepting, end every connection (waiters in waitForNotificationsIfTipChanged see
        // isStopping), then let the chain state finish the block it is on: each block is one
        // SQLite transaction, so what was acknowledged is on disk.
        listener.stop()
        unlink(socketPath(in: directory.path))
        listener.disconnectIncoming()
        await walletChild?.shutdown()
        let final = await chain.tip
        logger.info("stopped at height \(final.height), tip \(final.hash.hex)")
        withExtendedLifetime(signals) {}
        log.flush()
        directory.unlock()
    }
}

extension Noded {
    /// The socket file -ipcbind names (Ipc.listenAddress resolves it the same way).
    func socketPath(in datadir: String) -> String {
        guard ipcbind.hasPrefix("unix:") else { return datadir + "/node.sock" }
        let path = String(ipcbind.dropFirst("unix:".count))
        return path.hasPrefix("/") ? path : datadir + "/" + path
    }
}

/// An error that ends noded with status 1 and its message on stderr.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Fires once; `wait` returns after that.
final class StopSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() { (stream, continuation) = AsyncStream<Void>.makeStream() }

    func fire() { continuation.finish() }

    func wait() async { for await _ in stream {} }
}
