// The generated file reads interface first: what a user calls above one `// MARK: -` line, the
// runtime's machinery (type IDs, sizes, ordinals, sending, dispatch) below it.

import Foundation
import Testing
import TestSupport
@testable import CapnpCompiler

@Test func theAPIComesFirstAndTheMachineryBelowOneMarkLine() throws {
    let output = try generate("""
    @0xc1f3a9d2b4e5f621;
    interface Keeper { get @0 (key :Text) -> (value :Text); }
    struct Entry { key @0 :Text; }
    """)
    let marks = output.components(separatedBy: "// MARK: -")
    try #require(marks.count == 2, "one MARK line")
    let (api, support) = (marks[0], marks[1])
    for declaration in ["public protocol Server", "public struct Client {", "public func get(key: String) async throws(CapnpRPC.RPCError) -> String",
                        "public var key: String {", "public enum Entry {"] {
        #expect(api.contains(declaration), "\(declaration) above the MARK line")
        #expect(!support.contains(declaration), "\(declaration) not below it")
    }
    for machinery in ["typeId", "dataWordCount", "pointerCount", "enum Method", "func sendGet(", "func dispatch(", "_dispatch_"] {
        #expect(!api.contains(machinery), "\(machinery) is not above the MARK line")
        #expect(support.contains(machinery), "\(machinery) below it")
    }
    // Within the interface, the Server protocol comes before the Client.
    let server = try #require(api.range(of: "public protocol Server"))
    let client = try #require(api.range(of: "public struct Client"))
    #expect(server.lowerBound < client.lowerBound)
}

@Test func fileAnnotationsNestTheTypesAndSetTheirAccessLevel() throws {
    let swiftSchema = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../schema/swift.capnp"), encoding: .utf8)
    let output = try generate("""
    @0xc1f3a9d2b4e5f622;
    using Swift = import "swift.capnp";
    $Swift.namespace("Proxy");
    $Swift.visibility("package");
    struct Thread { name @0 :Text; }
    interface Context { get @0 () -> (thread :Thread); }
    const limit :Int8 = 3;
    """, extraFiles: ["swift.capnp": swiftSchema])
    #expect(output.contains("package enum Proxy {\n    package enum Thread {"))
    #expect(output.contains("package static var limit: Int8 { 3 }"))
    #expect(output.contains("extension Proxy.Thread: Capnp.StructType {"))
    #expect(output.contains("-> Proxy.Thread.Reader"))
    #expect(output.contains("@inlinable package init(_ reader: Capnp.StructReader)"))
    #expect(!output.contains("public "), "every declaration is package")
}

@Test func generatedCodeNamesTheRuntimeVersionItWasWrittenFor() throws {
    // A file from a capnpc-swift of another version names a symbol this runtime lacks, so it fails to compile.
    let output = try generate("@0xc1f3a9d2b4e5f623;\nstruct A { x @0 :UInt8; }")
    #expect(output.contains("private typealias _RegenerateWithTheMatchingCapnpcSwift = Capnp._GeneratedWithCapnpcSwiftVersion_\(CodeGenerator.runtimeVersion)"))
}

@Test func structAndListConstantsAreReadOnce() throws {
    let output = try generate("""
    @0xc1f3a9d2b4e5f624;
    struct P { x @0 :Int32; }
    const origin :P = (x = 1);
    const primes :List(Int32) = [2, 3, 5];
    struct S { const inner :P = (x = 2); }
    """)
    #expect(output.contains("public let origin: P.Reader = try! P._read("))
    #expect(output.contains("public let primes: Capnp.List<Int32>.Reader = try! Capnp.List<Int32>._read("))
    #expect(output.contains("public static let inner: P.Reader = try! P._read("))
    #expect(!output.contains("var origin"))
}

@Test func thePluginShipsTheAnnotationsFileWordForWord() throws {
    // The build plugin writes swift.capnp for targets to import; it must be the one the generator reads.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let schema = try String(contentsOf: root.appendingPathComponent("schema/swift.capnp"), encoding: .utf8)
    let plugin = try String(contentsOf: root.appendingPathComponent("Plugins/CapnpPlugin/plugin.swift"), encoding: .utf8)
    let embedded = schema.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        .map { $0.isEmpty ? "" : "        " + $0 }.joined(separator: "\n")
    #expect(plugin.contains("static let swiftAnnotations = \"\"\"\n" + embedded + "\n        \"\"\""))
}
