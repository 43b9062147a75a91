// Rpc served over IPC: executeRpc takes a JSON-RPC 1.0/2.0 request (one object or a batch) and
// answers as Bitcoin Core's HTTP server would, with its error codes.

import CapnpRPC
import NodeInterfaces
import Synchronization

final class RpcServer: Rpc.Server {
    private let node: NodeRuntime
    private let commands: RpcCommandTable

    init(node: NodeRuntime, commands: RpcCommandTable) {
        self.node = node
        self.commands = commands
    }

    func executeRpc(_ call: ServerCall<Rpc.ExecuteRpcParams, Rpc.ExecuteRpcResults>) async throws {
        let params = call.params
        call.results.result = await commands.execute(try params.request, uri: try params.uri, node: node).encoded
    }
}

/// Bitcoin Core's JSON-RPC error codes (the ones this node can give).
public enum RpcErrorCode: Int64, Sendable {
    case invalidRequest = -32600
    case methodNotFound = -32601
    case invalidParams = -32602
    case internalError = -32603
    case parseError = -32700
    case miscError = -1
    case typeError = -3
    case invalidAddressOrKey = -5
    case invalidParameter = -8
    case verifyError = -25
    case verifyRejected = -26
    case deserializationError = -22
    case walletError = -4
    case walletNotFound = -18
    case walletNotSpecified = -19
}

/// A command's failure: the code and message of the JSON-RPC error object.
public struct RpcFailure: Error, Sendable {
    public let code: RpcErrorCode
    public let message: String
    public init(_ code: RpcErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// A command's arguments, given by position or by name.
public struct RpcArguments: Sendable {
    let positional: [JSONValue]
    let named: [String: JSONValue]
    let names: [String]
    /// The request's URI: Bitcoin Core's `/wallet/<name>` picks the wallet a wallet command acts on.
    public let uri: String

    /// Argument `index` (named `names[index]`), nil when not given or null.
    public func value(_ index: Int) -> JSONValue? {
        let value = index < positional.count ? positional[index] : (index < names.count ? named[names[index]] : nil)
        if case .null = value { return nil }
        return value
    }

    public func int(_ index: Int) throws(RpcFailure) -> Int64? {
        guard let value = value(index) else { return nil }
        guard case .int(let number) = value else { throw Self.typeError(value, "number") }
        return number
    }

    public func string(_ index: Int) throws(RpcFailure) -> String? {
        guard let value = value(index) else { return nil }
        guard case .string(let text) = value else { throw Self.typeError(value, "string") }
        return text
    }

    public func required<T>(_ got: T?, _ index: Int) throws(RpcFailure) -> T {
        guard let got else { throw RpcFailure(.miscError, "missing argument \(index + 1) (\(index < names.count ? names[index] : "?"))") }
        return got
    }

    static func typeError(_ value: JSONValue, _ expected: String) -> RpcFailure {
        let kind: String
        switch value {
        case .null: kind = "null"
        case .bool: kind = "bool"
        case .int, .double, .amount: kind = "number"
        case .string: kind = "string"
        case .array: kind = "array"
        case .object: kind = "object"
        }
        // Bitcoin Core's wording for a parameter of the wrong JSON type.
        return RpcFailure(.typeError, "JSON value of type \(kind) is not of expected type \(expected)")
    }
}

/// The commands Rpc.executeRpc answers, by name. The node's are registered by `node()`; a wallet
/// adds its own with one `register` call per command.
public final class RpcCommandTable: Sendable {
    public typealias Run = @Sendable (RpcArguments, NodeRuntime) async throws(RpcFailure) -> JSONValue
    private struct Command: Sendable { let parameters: [String]; let run: Run }
    private let commands = Mutex<[String: Command]>([:])

    public init() {}

    /// Adds (or replaces) `name`; `parameters` names the positional arguments, for named calls.
    public func register(_ name: String, parameters: [String] = [], _ run: @escaping Run) {
        commands.withLock { $0[name] = Command(parameters: parameters, run: run) }
    }

    public var names: [String] { commands.withLock { $0.keys.sorted() } }

    /// The reply to a request text: one reply object, or an array for a batch.
    public func execute(_ request: String, uri: String = "", node: NodeRuntime) async -> JSONValue {
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(request) } catch {
            return Self.reply(version2: false, id: .null, error: RpcFailure(.parseError, "Parse error: \(error.description)"))
        }
        if case .array(let batch) = parsed {
            var replies: [JSONValue] = []
            for item in batch { replies.append(await executeOne(item, uri: uri, node: node)) }
            return .array(replies)
        }
        return await executeOne(parsed, uri: uri, node: node)
    }

    private func executeOne(_ request: JSONValue, uri: String, node: NodeRuntime) async -> JSONValue {
        guard case .object = request else {
            return Self.reply(version2: false, id: .null, error: RpcFailure(.invalidRequest, "Invalid Request object"))
        }
        let id = request["id"] ?? .null
        let version2 = request["jsonrpc"] == .string("2.0")
        guard case .string(let method)? = request["method"] else {
            return Self.reply(version2: version2, id: id, error: RpcFailure(.invalidRequest, "Method must be a string"))
        }
        guard let command = commands.withLock({ $0[method] }) else {
            return Self.reply(version2: version2, id: id, error: RpcFailure(.methodNotFound, "Method not found"))
        }
        let arguments: RpcArguments
        switch request["params"] ?? .array([]) {
        case .null: arguments = RpcArguments(positional: [], named: [:], names: command.parameters, uri: uri)
        case .array(let items): arguments = RpcArguments(positional: items, named: [:], names: command.parameters, uri: uri)
        case .object(let members):
            var named: [String: JSONValue] = [:]
            for (key, value) in members {
                guard command.parameters.contains(key) else {
                    return Self.reply(version2: version2, id: id, error: RpcFailure(.invalidParameter, "Unknown named parameter \(key)"))
                }
                named[key] = value
            }
            arguments = RpcArguments(positional: [], named: named, names: command.parameters, uri: uri)
        default:
            return Self.reply(version2: version2, id: id, error: RpcFailure(.invalidRequest, "Params must be an array or object"))
        }
        if arguments.positional.count > command.parameters.count {
            return Self.reply(version2: version2, id: id, error: RpcFailure(.miscError,
                "\(method) takes at most \(command.parameters.count) arguments (\(command.parameters.joined(separator: ", "))), not \(arguments.positional.count)"))
        }
        do {
            let result = try await command.run(arguments, node)
            return Self.reply(version2: version2, id: id, result: result)
        } catch { return Self.reply(version2: version2, id: id, error: error) }
    }

    /// Bitcoin Core's reply shapes: 1.0 always has result and error; 2.0 has one of them.
    static func reply(version2: Bool, id: JSONValue, result: JSONValue? = nil, error: RpcFailure? = nil) -> JSONValue {
        let errorObject: JSONValue = error.map { .object([("code", .int($0.code.rawValue)), ("message", .string($0.message))]) } ?? .null
        if version2 {
            return .object([("jsonrpc", .string("2.0")), error == nil ? ("result", result ?? .null) : ("error", errorObject), ("id", id)])
        }
        return .object([("result", result ?? .null), ("error", errorObject), ("id", id)])
    }
}
