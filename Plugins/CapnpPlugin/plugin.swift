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
        // capnpc-swift's annotations, importable as "/swift.capnp" ($Swift.namespace and the others).
        let include = context.pluginWorkDirectoryURL.appending(path: "include")
        try FileManager.default.createDirectory(at: include, withIntermediateDirectories: true)
        let annotations = include.appending(path: "swift.capnp")
        if (try? String(contentsOf: annotations, encoding: .utf8)) != Self.swiftAnnotations {
            try Self.swiftAnnotations.write(to: annotations, atomically: true, encoding: .utf8)
        }
        return schemas.map { schema in
            let swiftFile = output.appending(path: schema.deletingPathExtension().lastPathComponent + ".swift")
            return .buildCommand(
                displayName: "capnpc-swift \(schema.lastPathComponent)",
                executable: capnp,
                arguments: ["compile", "-I", sourceRoot, "-I", include.path(), "--src-prefix=\(sourceRoot)",
                            "-o\(generator.path()):\(output.path())", schema.path()],
                inputFiles: [schema, generator, annotations],
                outputFiles: [swiftFile])
        }
    }

    /// schema/swift.capnp, word for word (a generator test checks they match).
    static let swiftAnnotations = """
        @0xe3d4c01fab1de278;
        # Annotations for capnpc-swift.

        annotation module @0xe2eaf12b4b020603 (file) :Text;
        # The Swift module the file's generated code is compiled into. A file importing this one
        # gets `import <module>` in its generated Swift.

        annotation namespace @0x9fac4848f43569c3 (file) :Text;
        # Nests the file's types in a Swift enum of this name: with `$Swift.namespace("Proxy")`, the
        # file's `Thread` is `Proxy.Thread`, so it cannot clash with another module's `Thread`.

        annotation visibility @0xb6038ee182bc825c (file) :Text;
        # The access level of the generated declarations: "public" (the default), "package" or "internal".
        """ + "\n"

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
