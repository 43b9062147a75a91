// The node holds no key: every byte between the node side and node-wallet is captured through a
// relay during a wallet run (create, receive, pay, change); neither the seed nor any derived
// private key appears in it, while the addresses and the signed transaction do (so the capture works).

import Capnp
import CapnpRPC
import Consensus
import Dispatch
import Multiprocess
import NodeInterfaces
import NodeKit
import SQLiteSupport
import Synchronization
import TestSupport
import Testing
import WalletKit
#if canImport(Glibc)
import Glibc
#endif

/// Copies bytes both ways between two sockets, keeping a copy of everything.
final class CapturingRelay: Sendable {
    let captured = Mutex<[UInt8]>([])

    init(_ a: Int32, _ b: Int32) {
        DispatchQueue.global().async { [self] in
            var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
            var buffer = [UInt8](repeating: 0, count: 65536)
            loop: while poll(&fds, 2, -1) >= 0 {
                for (i, entry) in fds.enumerated() where entry.revents != 0 {
                    let from = entry.fd, to = fds[1 - i].fd
                    let n = read(from, &buffer, buffer.count)
                    if n <= 0 { break loop }
                    captured.withLock { $0 += buffer[0..<n] }
                    var sent = 0
                    while sent < n {
                        let w = buffer[sent..<n].withUnsafeBytes { write(to, $0.baseAddress, $0.count) }
                        if w <= 0 { break loop }
                        sent += w
                    }
                }
            }
            shutdown(a, Int32(SHUT_RDWR))
            shutdown(b, Int32(SHUT_RDWR))
        }
    }

    func contains(_ needle: [UInt8]) -> Bool {
        captured.withLock { bytes in
            guard needle.count <= bytes.count else { return false }
            return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
    }
}

@Suite struct KeyTraceTests {
    // Catches any call that sends a seed or private key to the node (say, signing moved to the node).
    @Test func noPrivateKeyOrSeedCrossesIPC() async throws {
        let directory = try TemporaryDirectory("keytrace")
        let chain = try ChainState(datadir: directory.path)
        let chainClient = try await Init.Client(serving: NodeInit(node: NodeRuntime(chain: chain, stop: {}))).makeChain()
        setenv("NODE_WALLET_DATADIR", directory.path, 1)
        let child = try Multiprocess.Process.spawn(executableName: "node-wallet")
        var pair: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        let relay = CapturingRelay(child.fd, pair[0])
        let connected = try Ipc().protocol.connect(fd: pair[1], as: Init.Client.self)
        let loader = try await connected.initClient.makeWalletLoader(chain: chainClient)

        let alice = try await loader.createWallet { $0.name = "alice" }
        let address = try await alice.getNewDestination(label: "")
        _ = try await chain.generate(count: 101, toAddress: address)
        try await eventually("alice's coins mature") { try await alice.getBalances().balance == 50 * Amount.coin }
        let created = try await alice.createTransaction { params in
            let recipients = params.initRecipients(count: 1)
            recipients[0].address = address
            recipients[0].amount = Amount.coin
        }
        let tx = Array(try created.tx)
        try await alice.commitTransaction(tx: tx)
        try await loader.stop()
        connected.connection.close()
        _ = try Multiprocess.Process.waitSpawned(child.pid)

        // The key material, read from the wallet's own file afterwards.
        let db = try SQLiteDatabase(path: directory.path + "/wallets/alice/wallet.sqlite")
        let seed = try #require(try db.query("SELECT value FROM meta WHERE key = 'seed'").first?.first?.blob)
        let keys = try WalletKeys(seed: seed, hrp: "bcrt")
        var secrets: [[UInt8]] = [seed]
        for index in UInt32(0)..<5 {
            secrets.append(try keys.privateKey(change: false, index: index).bytes)
            secrets.append(try keys.privateKey(change: true, index: index).bytes)
        }
        for (i, secret) in secrets.enumerated() { #expect(!relay.contains(secret), "secret \(i) crossed IPC") }
        #expect(relay.contains(Array(address.utf8)), "the capture should hold the address")
        #expect(relay.contains(tx), "the capture should hold the signed transaction")
    }
}
