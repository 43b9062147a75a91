// The Init noded serves on node.sock: Echo, Mining, Rpc, Chain and Node; the WalletLoader
// ordinal answers unimplemented until its issue fills it.

import CapnpRPC
import Multiprocess
import NodeInterfaces

public final class NodeInit: Init.Server {
    private let node: NodeRuntime
    /// What makeRpc's Rpc answers: the node's commands; a wallet registers its own here.
    public let rpcCommands: RpcCommandTable

    public init(node: NodeRuntime, rpcCommands: RpcCommandTable = .node()) {
        self.node = node
        self.rpcCommands = rpcCommands
    }

    public func makeEcho(_ call: ServerCall<Init.MakeEchoParams, Init.MakeEchoResults>) async throws {
        call.results.setResult(Echo.Client(serving: EchoServer()))
    }

    public func makeMiningOld2(_ call: ServerCall<Init.MakeMiningOld2Params, Init.MakeMiningOld2Results>) async throws {
        throw RPCError(.unimplemented, "makeMiningOld2 is an old ordinal: the Mining interface is at Init.makeMining @3")
    }

    public func makeMining(_ call: ServerCall<Init.MakeMiningParams, Init.MakeMiningResults>) async throws {
        call.results.setResult(Mining.Client(serving: MiningServer(node: node)))
    }

    public func makeRpc(_ call: ServerCall<Init.MakeRpcParams, Init.MakeRpcResults>) async throws {
        call.results.setResult(Rpc.Client(serving: RpcServer(node: node, commands: rpcCommands)))
    }

    public func makeChain(_ call: ServerCall<Init.MakeChainParams, Init.MakeChainResults>) async throws {
        call.results.setResult(Chain.Client(serving: ChainServer(node: node)))
    }

    public func makeNode(_ call: ServerCall<Init.MakeNodeParams, Init.MakeNodeResults>) async throws {
        call.results.setResult(Node.Client(serving: NodeServer(node: node)))
    }
}
