// The Init noded serves on node.sock: Echo, Chain and Node; the Mining, Rpc and WalletLoader
// ordinals answer unimplemented until their issues fill them.

import CapnpRPC
import Multiprocess
import NodeInterfaces

public final class NodeInit: Init.Server {
    private let node: NodeRuntime

    public init(node: NodeRuntime) { self.node = node }

    public func makeEcho(_ call: ServerCall<Init.MakeEchoParams, Init.MakeEchoResults>) async throws {
        call.results.setResult(Echo.Client(serving: EchoServer()))
    }

    public func makeMiningOld2(_ call: ServerCall<Init.MakeMiningOld2Params, Init.MakeMiningOld2Results>) async throws {
        throw RPCError(.unimplemented, "makeMiningOld2 is an old ordinal: the Mining interface is at Init.makeMining @3")
    }

    public func makeChain(_ call: ServerCall<Init.MakeChainParams, Init.MakeChainResults>) async throws {
        call.results.setResult(Chain.Client(serving: ChainServer(node: node)))
    }

    public func makeNode(_ call: ServerCall<Init.MakeNodeParams, Init.MakeNodeResults>) async throws {
        call.results.setResult(Node.Client(serving: NodeServer(node: node)))
    }
}
