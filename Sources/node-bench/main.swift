// node-bench: scripts/bench's P8, blocks connected per second with one ChainNotifications
// subscriber. `P8-ipc`: noded (spawned from this directory) mines and a subscriber in this
// process gets blockConnected over node.sock; `P8-inprocess`: the same chain state mines with
// an in-process subscriber. Prints blocks per second (the time from asking for the blocks to the
// subscriber having seen the last one); `P8-ipc` also prints noded's VmRSS after them to stderr.

import CapnpRPC
import Consensus
import Multiprocess
import NodeInterfaces
import NodeKit
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

let blocks = 200
let address = SegwitAddress(hrp: ChainParams.regtest.bech32HRP, p2wpkhKeyHash: [UInt8](repeating: 7, count: 20)).description

func fail(_ message: String) -> Never {
    let line = Array("node-bench: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(1)
}

func temporaryDirectory() -> String {
    var template = Array("/tmp/node-bench-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fail("mkdtemp failed") }
    return String(cString: made)
}

/// Counts blockConnected calls and says when `target` arrived.
final class Counter: ChainNotifications.Server, Sendable {
    private let state = Mutex<(count: Int, waiter: CheckedContinuation<Void, Never>?)>((0, nil))
    let target: Int
    init(target: Int) { self.target = target }

    func blockConnected(_ call: ServerCall<ChainNotifications.BlockConnectedParams, ChainNotifications.BlockConnectedResults>) async throws {
        arrived()
    }

    func arrived() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.count += 1
            guard state.count == target else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func waitForAll() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.count >= target { return true }
                state.waiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }
}

func ipc() async -> Double {
    let datadir = temporaryDirectory()
    let directory = String(CommandLine.arguments[0].split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
    var pid: pid_t = 0
    let path = directory.isEmpty ? "noded" : directory + "/noded"
    let arguments = [path, "-datadir=\(datadir)"]
    var argv = arguments.map { strdup($0) } + [nil]
    guard posix_spawn(&pid, path, nil, nil, &argv, environ) == 0 else { fail("cannot spawn \(path)") }
    var connected: Protocol.Connected<Init.Client>?
    for _ in 0..<1000 where connected == nil {
        connected = try? await Ipc().connectAddress("unix", dataDirectory: datadir, name: "node", as: Init.Client.self)
        if connected == nil { try? await Task.sleep(for: .milliseconds(10)) }
    }
    guard let connected else { fail("noded did not answer") }
    do {
        let chain = try await connected.initClient.makeChain()
        let node = try await connected.initClient.makeNode()
        let counter = Counter(target: blocks)
        let handler = try await chain.handleNotifications(notifications: ChainNotifications.Client(serving: counter))
        let start = ContinuousClock.now
        _ = try await node.generateToAddress(count: Int32(blocks), address: address)
        await counter.waitForAll()
        let elapsed = ContinuousClock.now - start
        try await handler.disconnect()
        try? await Task.sleep(for: .milliseconds(500))
        if let status = try? String(decoding: readFile("/proc/\(pid)/status"), as: UTF8.self),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS") }) {
            let report = Array("node-bench: noded after \(blocks) blocks, idle: \(line)\n".utf8)
            _ = report.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
        try await node.stop()
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return Double(blocks) / seconds(elapsed)
    } catch {
        kill(pid, SIGKILL)
        fail("\(error)")
    }
}

func inProcess() async -> Double {
    do {
        let chain = try ChainState(datadir: temporaryDirectory())
        let counter = Counter(target: blocks)
        await chain.subscribe { event in if case .blockConnected = event { counter.arrived() } }
        let start = ContinuousClock.now
        _ = try await chain.generate(count: blocks, toAddress: address)
        await counter.waitForAll()
        return Double(blocks) / seconds(ContinuousClock.now - start)
    } catch {
        fail("\(error)")
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func readFile(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw RPCError(.failed, "cannot open \(path)") }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = read(fd, &buffer, buffer.count)
        if count <= 0 { break }
        bytes += buffer[0..<count]
    }
    return bytes
}

switch CommandLine.arguments.dropFirst().first {
case "P8-ipc": print(await ipc())
case "P8-inprocess": print(await inProcess())
default:
    print("usage: node-bench P8-ipc|P8-inprocess")
    exit(2)
}
