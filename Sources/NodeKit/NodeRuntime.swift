// What the node's IPC servers share: the chain state, the start time, the stop request, and the
// subscribers to init messages and progress that Chain passes on to Node's handlers.

import Consensus
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One running node, as its servers see it.
public final class NodeRuntime: Sendable {
    public let chain: ChainState
    let started = ContinuousClock.now
    private let stopHandler: @Sendable () -> Void
    /// The wallet process, once noded has one (Node.walletLoader, getNodeInfo's wallet fields).
    public let wallet = Mutex<(any WalletProvider)?>(nil)
    /// Where NodeKit says what happens to an attached wallet process (noded: its log).
    public let walletLog = Mutex<@Sendable (String) -> Void>({ _ in })
    private let stopping = Atomic<Bool>(false)
    let initMessageSubscribers = Subscribers<String>()
    let progressSubscribers = Subscribers<(title: String, progress: Int32, resumePossible: Bool)>()
    let relays = Relays()

    /// `stop` runs once, on the first `Node.stop` (after its answer is sent) or `requestStop`.
    public init(chain: ChainState, stop: @escaping @Sendable () -> Void) {
        self.chain = chain
        self.stopHandler = stop
    }

    /// Whether the node is stopping (Chain.shutdownRequested).
    public var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Marks the node stopping (ends waits in waitForNotificationsIfTipChanged) and calls the stop handler once.
    public func requestStop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        relays.stopAll()
        stopHandler()
    }

    var uptimeSeconds: Int64 { (ContinuousClock.now - started).components.seconds }
}

/// Callbacks keyed by an id, for subscriptions a Handler ends.
final class Subscribers<Value: Sendable>: Sendable {
    private let entries = Mutex<(next: Int, all: [Int: @Sendable (Value) -> Void])>((0, [:]))

    func add(_ callback: @escaping @Sendable (Value) -> Void) -> Int {
        entries.withLock { state in
            state.next += 1
            state.all[state.next] = callback
            return state.next
        }
    }

    func remove(_ id: Int) { _ = entries.withLock { $0.all.removeValue(forKey: id) } }

    func send(_ value: Value) {
        for callback in entries.withLock({ Array($0.all.values) }) { callback(value) }
    }
}
