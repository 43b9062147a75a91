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
        discussion: Command.usageSummary,
        helpNames: [.customLong("help", withSingleDash: true), .long])

    @Option(name: .customLong("datadir", withSingleDash: true), help: "noded's data directory (default ~/.noded).")
    var datadir: String?

    @Option(name: .customLong("ipcconnect", withSingleDash: true),
            help: "Where noded listens: unix (<datadir>/node.sock) or unix:<path>.")
    var ipcconnect: String = "unix"

    @Flag(name: .customLong("json", withSingleDash: true), help: "Print JSON, for scripts.")
    var json = false

    @Argument(help: "The command (see below).")
    var command: String

    @Argument(help: "The command's arguments.")
    var arguments: [String] = []

    func validate() throws {
        guard let known = Command(rawValue: command) else {
            throw ValidationError("unknown command '\(command)'; commands: \(Command.allCases.map(\.rawValue).joined(separator: ", "))")
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

/// Parses, runs, prints; exits with the status the usage promises.
func main() async -> Int32 {
    let cli: NodeCli
    do { cli = try NodeCli.parse() } catch {
        let code = NodeCli.exitCode(for: error)
        if code == .success {
            print(NodeCli.fullMessage(for: error))
            return 0
        }
        printError(NodeCli.fullMessage(for: error))
        return 2
    }
    let command = Command(rawValue: cli.command)!
    do {
        let node = try await NodeConnection.open(address: cli.ipcconnect, dataDirectory: cli.dataDirectory)
        let output = try await command.run(cli.arguments, on: node)
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
