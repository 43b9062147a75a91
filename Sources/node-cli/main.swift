// node-cli: calls a running noded over its unix socket and prints the answer. Exit status 0 on
// success, 1 on an error (message on stderr), 2 on bad usage.

import ArgumentParser
import CapnpRPC
import Consensus
import Multiprocess
import NodeInterfaces
#if canImport(Glibc)
import Glibc
#endif

struct NodeCli: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node-cli",
        abstract: "Sends a command to a running noded.",
        discussion: Command.usageSummary + "\n" + WalletCommand.usageSummary,
        helpNames: [.customLong("help", withSingleDash: true), .long])

    @Option(name: .customLong("datadir", withSingleDash: true), help: "noded's data directory (default ~/.noded).")
    var datadir: String?

    @Option(name: .customLong("ipcconnect", withSingleDash: true),
            help: "Where noded listens: unix (<datadir>/node.sock) or unix:<path>.")
    var ipcconnect: String = "unix"

    @Option(name: .customLong("rpcwallet", withSingleDash: true), help: "The wallet a wallet command uses.")
    var rpcwallet: String?

    @Flag(name: .customLong("json", withSingleDash: true), help: "Print JSON, for scripts.")
    var json = false

    @Flag(name: .customLong("rpc", withSingleDash: true),
          help: "Send the argument, a JSON-RPC request (one object or a batch), through Init.makeRpc and print the JSON reply.")
    var rpc = false

    @Argument(help: "The command (see below).")
    var command: String

    @Argument(help: "The command's arguments.")
    var arguments: [String] = []

    func validate() throws {
        if rpc {
            guard arguments.isEmpty else { throw ValidationError("-rpc takes one argument, the JSON-RPC request, got \(arguments.count + 1)") }
            return
        }
        if let wallet = WalletCommand(rawValue: command) {
            do { try wallet.checkArguments(arguments) } catch { throw ValidationError(error.message) }
            return
        }
        guard let known = Command(rawValue: command) else {
            throw ValidationError("unknown command '\(command)'; commands: \((Command.allCases.map(\.rawValue) + WalletCommand.allCases.map(\.rawValue)).joined(separator: ", "))")
        }
        guard arguments.count == known.argumentNames.count else {
            throw ValidationError("\(command) takes \(known.argumentNames.isEmpty ? "no arguments" : known.argumentNames.joined(separator: " ")), got \(arguments.count)")
        }
        try known.checkArguments(arguments)
        guard ipcconnect == "unix" || ipcconnect.hasPrefix("unix:") else {
            throw ValidationError("-ipcconnect must be unix or unix:<path>, not '\(ipcconnect)'")
        }
    }

    var dataDirectory: String {
        let path = datadir ?? "~/.noded"
        guard path == "~" || path.hasPrefix("~/"), let home = getenv("HOME") else { return path }
        return String(cString: home) + path.dropFirst()
    }
}

/// The arguments, with bitcoin-cli's `-generate [n]` (a command spelled as an option) moved after
/// `--` so that it parses as the command.
func commandLine() -> [String] {
    var arguments = Array(CommandLine.arguments.dropFirst())
    guard let index = arguments.firstIndex(of: "-generate") else { return arguments }
    arguments.remove(at: index)
    var command = ["-generate"]
    if index < arguments.count, Int32(arguments[index]) != nil { command.append(arguments.remove(at: index)) }
    return arguments + ["--"] + command
}

/// Parses, runs, prints; exits with the status the usage promises.
func main() async -> Int32 {
    let cli: NodeCli
    do { cli = try NodeCli.parse(commandLine()) } catch {
        let code = NodeCli.exitCode(for: error)
        if code == .success {
            print(NodeCli.fullMessage(for: error))
            return 0
        }
        printError(NodeCli.fullMessage(for: error))
        return 2
    }
    do {
        let node = try await NodeConnection.open(address: cli.ipcconnect, dataDirectory: cli.dataDirectory)
        if cli.rpc {
            // The reply as noded wrote it: JSON-RPC errors are in it, not in the exit status.
            let rpc = try await node.connected.initClient.makeRpc()
            print(try await rpc.executeRpc(request: cli.command, uri: "", user: ""))
            node.close()
            return 0
        }
        let output = if let wallet = WalletCommand(rawValue: cli.command) {
            try await wallet.run(cli.arguments, rpcwallet: cli.rpcwallet, on: node)
        } else {
            try await Command(rawValue: cli.command)!.run(cli.arguments, on: node)
        }
        let text = cli.json ? output.json : output.human
        if !text.isEmpty { print(text) }
        node.close()
        return 0
    } catch let error as CliError {
        printError("error: \(error.message)")
        return 1
    } catch {
        printError("error: \(error)")
        return 1
    }
}

struct CliError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
    init(_ message: String) { self.message = message }
}

func printError(_ message: String) {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

exit(await main())
