// The connection to noded: Init, then Node and Chain made on it. Connecting never hangs: nothing
// listening fails at once, and a server that does not answer `construct` in time is an error.

import CapnpRPC
import Multiprocess
import NodeInterfaces

struct NodeConnection {
    let connected: Protocol.Connected<Init.Client>
    let node: Node.Client
    let chain: Chain.Client

    static let answerTimeout: Duration = .seconds(10)

    static func open(address: String, dataDirectory: String) async throws -> NodeConnection {
        let ipc = Ipc()
        let outcome: Result<Protocol.Connected<Init.Client>, CliError>? = await withTaskGroup(
            of: Result<Protocol.Connected<Init.Client>, CliError>?.self) { group in
            group.addTask {
                do throws(Ipc.IpcError) {
                    guard let connected = try await ipc.connectAddress(address, dataDirectory: dataDirectory, name: "node",
                                                                         as: Init.Client.self) else {
                        return .failure(CliError("could not connect to noded: nothing listens"))
                    }
                    return .success(connected)
                } catch {
                    if case .unreachable(_, let cause) = error, case .nothingListening(let path) = cause {
                        return .failure(CliError("could not connect to noded at \(path): is noded running?"))
                    }
                    return .failure(CliError("could not connect to noded: \(error)"))
                }
            }
            group.addTask {
                try? await Task.sleep(for: answerTimeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success(let connected)?:
            do {
                let node = try await connected.initClient.makeNode()
                let chain = try await connected.initClient.makeChain()
                return NodeConnection(connected: connected, node: node, chain: chain)
            } catch {
                connected.connection.close()
                throw CliError("noded did not hand out its interfaces: \(error.reason)")
            }
        case .failure(let error)?:
            throw error
        case nil:
            throw CliError("noded at \(address) did not answer within \(answerTimeout)")
        }
    }

    func close() { connected.connection.close() }
}
