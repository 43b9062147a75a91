// What the node needs of its wallet process (noded spawns it; NodeKit only hands its loader on):
// Node.walletLoader returns the provider's loader, and getNodeInfo shows its pid and state.

import NodeInterfaces

public protocol WalletProvider: Sendable {
    /// The wallet process's loader; fails with a message when there is no wallet process.
    func walletLoader() async throws -> WalletLoader.Client
    /// The child's pid (0: none) and a word for its state ("running", "exited (status …)", "none").
    func status() async -> (pid: Int32, state: String)
    /// A wallet process attached itself: stop any wallet process of ours (its files are the
    /// attached one's now); the next walletLoader call, if it comes to us, starts one again.
    func standDown() async
}

extension WalletProvider {
    public func standDown() async {}
}
