// SwiftPM build-tool plugin: compiles a target's .capnp files to Swift with capnpc-swift.

import Foundation
import PackagePlugin

/// Runs `capnp compile -o capnpc-swift` over every `.capnp` file of the target, one Swift file each.
/// `capnp` comes from PATH (install the `capnproto` package); imports resolve against the target's
/// directory and the standard include directories.
@main
struct CapnpPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let schemas = target.sourceFiles.map(\.url).filter { $0.pathExtension == "capnp" }
        if schemas.isEmpty { return [] }
        let capnp = try Self.findOnPath("capnp")
        let generator = try context.tool(named: "capnpc-swift").url
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let sourceRoot = target.directoryURL.path()
        return schemas.map { schema in
            let swiftFile = output.appending(path: schema.deletingPathExtension().lastPathComponent + ".swift")
            return .buildCommand(
                displayName: "capnpc-swift \(schema.lastPathComponent)",
                executable: capnp,
                arguments: ["compile", "-I", sourceRoot, "--src-prefix=\(sourceRoot)",
                            "-o\(generator.path()):\(output.path())", schema.path()],
                inputFiles: [schema, generator],
                outputFiles: [swiftFile])
        }
    }

    static func findOnPath(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appending(path: name)
            if FileManager.default.isExecutableFile(atPath: candidate.path()) { return candidate }
        }
        throw PluginError.missingTool(name)
    }

    enum PluginError: Error, CustomStringConvertible {
        case missingTool(String)
        var description: String {
            switch self {
            case .missingTool(let name):
                "CapnpPlugin: '\(name)' is not on PATH; install the Cap'n Proto compiler (Debian: apt-get install capnproto)"
            }
        }
    }
}
