// A node-wallet that attaches itself to a running noded -nowallet (-ipcconnect): noded's
// Node.walletLoader hands out its loader, and once it is killed the node answers on without it.

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

@Suite struct AttachedWalletTests {
    // Catches node-wallet -ipcconnect still refusing (exit 2), noded not routing wallet calls to the
    // attached loader ("runs no wallet process"), and a dead attached wallet taking the node down or
    // leaving Node.walletLoader handing out a dead loader instead of saying why.
    @Test func attachedWalletServesWalletCallsThroughNoded() async throws {
        let directory = try TemporaryDirectory("attachwallet")
        let noded = try Multiprocess.Process.spawn(executableName: "noded", arguments: ["-datadir=\(directory.path)", "-nowallet"])
        close(noded.fd)
        try await eventually("noded listens") { access(directory.path + "/node.sock", F_OK) == 0 }
        let connected = try #require(try await Ipc().connectAddress("unix", dataDirectory: directory.path, name: "node", as: Init.Client.self))
        let node = try await connected.initClient.makeNode()
        await #expect(throws: RPCError.self) { _ = try await node.walletLoader() }  // -nowallet: none yet

        let wallet = try Multiprocess.Process.spawn(executableName: "node-wallet",
                                                    arguments: ["-ipcconnect=unix", "-datadir=\(directory.path)"])
        close(wallet.fd)
        try await eventually("the wallet attaches") { try await node.getNodeInfo().walletState.hasPrefix("attached") }

        let alice = try await node.walletLoader().createWallet { $0.name = "alice" }
        let address = try await alice.getNewDestination(label: "")
        _ = try await node.generateToAddress(count: 101, address: address)
        try await eventually("alice's coins mature") { try await alice.getBalances().balance == 50 * Amount.coin }
        #expect(access(directory.path + "/wallets/alice/wallet.sqlite", F_OK) == 0,
                "the attached wallet keeps its files in the datadir it was given")

        kill(wallet.pid, SIGKILL)
        var status: Multiprocess.ExitStatus?
        try await eventually("the attached wallet is gone") { status = try Multiprocess.Process.reap(wallet.pid); return status != nil }
        #expect(try await node.getNodeInfo().height == 101, "the node keeps answering")
        let error = await #expect(throws: RPCError.self) { _ = try await node.walletLoader() }
        #expect(error?.reason.contains("attached wallet process disconnected") == true)
        #expect(try await node.getNodeInfo().walletState == "none")

        try await node.stop()
        connected.connection.close()
        var nodedStatus: Multiprocess.ExitStatus?
        try await eventually("noded exits") { nodedStatus = try Multiprocess.Process.reap(noded.pid); return nodedStatus != nil }
        #expect(nodedStatus == .exited(0))
    }

    // Catches noded keeping its own wallet child running beside the attached wallet (two processes on
    // one wallet directory) and a node that does not start its child again after the attached one dies.
    @Test func nodedStandsDownItsChildAndRespawnsItAfterTheAttachedWalletDies() async throws {
        let directory = try TemporaryDirectory("attachfallback")
        let noded = try Multiprocess.Process.spawn(executableName: "noded", arguments: ["-datadir=\(directory.path)"])
        close(noded.fd)
        try await eventually("noded listens") { access(directory.path + "/node.sock", F_OK) == 0 }
        let connected = try #require(try await Ipc().connectAddress("unix", dataDirectory: directory.path, name: "node", as: Init.Client.self))
        let node = try await connected.initClient.makeNode()
        try await eventually("the wallet child runs") { try await node.getNodeInfo().walletPid > 0 }
        let child = try await node.getNodeInfo().walletPid

        let wallet = try Multiprocess.Process.spawn(executableName: "node-wallet",
                                                    arguments: ["-ipcconnect=unix", "-datadir=\(directory.path)"])
        close(wallet.fd)
        try await eventually("the wallet attaches") { try await node.getNodeInfo().walletState.hasPrefix("attached") }
        try await eventually("noded's own child stopped and reaped") { NodedWalletTests.state(child) == nil }
        let alice = try await node.walletLoader().createWallet { $0.name = "alice" }
        _ = try await node.generateToAddress(count: 101, address: try await alice.getNewDestination(label: ""))
        try await eventually("alice's coins mature") { try await alice.getBalances().balance == 50 * Amount.coin }

        kill(wallet.pid, SIGKILL)
        try await eventually("the attached wallet is gone") { try Multiprocess.Process.reap(wallet.pid) != nil }
        let loader = try await node.walletLoader()  // noded starts its own child again; it reloads alice
        #expect(try await loader.getWalletNames().map { try $0.get() } == ["alice"])
        let respawned = try await node.getNodeInfo().walletPid
        #expect(respawned > 0 && respawned != child && respawned != wallet.pid)
        let again = Wallet.Client(try await loader.getWallets()[0].get().capability)
        try await eventually("alice's balance in the respawned child") { try await again.getBalances().balance == 50 * Amount.coin }

        try await node.stop()
        connected.connection.close()
        var status: Multiprocess.ExitStatus?
        try await eventually("noded exits") { status = try Multiprocess.Process.reap(noded.pid); return status != nil }
        #expect(status == .exited(0))
        #expect(NodedWalletTests.state(respawned) == nil)
    }
}
