// The real noded with its wallet child: a client on node.sock reaches the wallet through
// Node.walletLoader (a backup's fd too), kill -9 of the child keeps the node answering and the next wallet call
// respawns it with the same balances, and Node.stop leaves neither process running.

import Capnp
import CapnpRPC
import Consensus
import Multiprocess
import NodeInterfaces
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct NodedWalletTests {
    /// Whether `pid` is gone or a zombie (then its parent did not reap it).
    static func state(_ pid: Int32) -> Character? {
        guard let file = fopen("/proc/\(pid)/stat", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        guard fgets(&line, 512, file) != nil else { return nil }
        let text = String(cString: line)
        guard let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(close, offsetBy: 2)]
    }

    // Catches wallet calls not reaching node-wallet through noded, a dead child not respawned or
    // respawned without its wallets, and a shutdown that leaves the child running or a zombie.
    @Test func nodedServesTheWalletChildAndRespawnsItAfterKill9() async throws {
        let directory = try TemporaryDirectory("nodedwallet")
        let noded = try Multiprocess.Process.spawn(executableName: "noded", arguments: ["-datadir=\(directory.path)"])
        close(noded.fd)
        try await eventually("noded listens") { access(directory.path + "/node.sock", F_OK) == 0 }
        let connected = try #require(try await Ipc().connectAddress("unix", dataDirectory: directory.path, name: "node", as: Init.Client.self))
        let node = try await connected.initClient.makeNode()
        try await eventually("the wallet child runs") { try await node.getNodeInfo().walletPid > 0 }
        let firstChild = try await node.getNodeInfo().walletPid
        #expect(Self.state(firstChild) != nil && Self.state(firstChild) != "Z")

        let alice = try await node.walletLoader().createWallet { $0.name = "alice" }
        _ = try await node.generateToAddress(count: 101, address: try await alice.getNewDestination(label: ""))
        try await eventually("alice's coins mature") { try await alice.getBalances().balance == 50 * Amount.coin }

        // A backup through noded: the fd this client passes goes on to node-wallet as an fd (a
        // forwarding proxy in noded would carry none, and the wallet would refuse it).
        let backupPath = directory.path + "/through-noded.sqlite"
        let fd = open(backupPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        let destination = FileDescriptor.Client(Capability(fileDescriptor: fd))
        // Without the fd, the wallet's wait for it hung (seen with the fd left behind a proxy).
        try await withHangGuard("the backup through noded") { try await alice.backupWallet(destination: destination) }
        let header = try #require(fopen(backupPath, "r"))
        var magic = [UInt8](repeating: 0, count: 16)
        #expect(fread(&magic, 1, 16, header) == 16 && String(decoding: magic.prefix(15), as: UTF8.self) == "SQLite format 3")
        fclose(header)

        kill(firstChild, SIGKILL)
        await #expect(throws: RPCError.self) { _ = try await alice.getBalances() }
        try await eventually("noded notices") { try await node.getNodeInfo().walletState.hasPrefix("wallet process exited (status") }
        #expect(try await node.getNodeInfo().height == 101, "the node keeps answering")
        #expect(Self.state(firstChild) == nil, "noded reaped the killed child")

        let loader = try await node.walletLoader()  // respawns it; it reloads alice
        #expect(try await loader.getWalletNames().map { try $0.get() } == ["alice"])
        let again = Wallet.Client(try await loader.getWallets()[0].get().capability)
        try await eventually("alice's balance after the respawn") { try await again.getBalances().balance == 50 * Amount.coin }
        let secondChild = try await node.getNodeInfo().walletPid
        #expect(secondChild > 0 && secondChild != firstChild)

        try await node.stop()
        connected.connection.close()
        var status: Multiprocess.ExitStatus?
        try await eventually("noded exits") { status = try Multiprocess.Process.reap(noded.pid); return status != nil }
        #expect(status == .exited(0))
        #expect(Self.state(secondChild) == nil, "the wallet child is neither running nor a zombie")
    }
}
