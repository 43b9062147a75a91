// The naming rules: generated accessors never collide with schema names or with each other, and
// Swift keywords take a trailing underscore. (Compiled and run against capnp in the conformance tests.)

import Foundation
import Testing
import TestSupport
@testable import CapnpCompiler

@Test func aPresenceAccessorGivesWayToASchemaFieldOfItsName() throws {
    // Bitcoin Core's mining.capnp: `getTip @2 (context :Proxy.Context) -> (result :Common.BlockRef, hasResult :Bool)`.
    // Before the rule, `hasResult` was declared twice (invalid redeclaration).
    let output = try generate("""
    @0xc1f3a9d2b4e5f611;
    struct BlockRef { hash @0 :Data; height @1 :Int32; }
    interface Mining { getTip @0 () -> (result :BlockRef, hasResult :Bool); }
    """)
    #expect(output.contains("public var hasResult: Bool { structReader._readBool("))
    #expect(output.contains("public var hasResult_: Bool { !structReader._pointer(0).isNull }"))
    #expect(output.contains("public var hasResult_: Bool { !structBuilder._pointer(0).isNull }"))
    #expect(!output.contains("public var hasResult: Bool { !"))
}

@Test func derivedAccessorsAndFixedMembersNeverCollide() throws {
    let output = try generate("""
    @0xc1f3a9d2b4e5f612;
    struct P { v @0 :UInt8; }
    struct C { p @0 :P; initP @1 :Int8; name @2 :Text; nameBytes @3 :Data; asReader @4 :UInt8; structBuilder @5 :UInt8; }
    interface I { get @0 () -> (); sendGet @1 () -> (); dispatch @2 () -> (); capability @3 () -> (); }
    """)
    #expect(output.contains("public func initP_() -> P.Builder"))
    #expect(output.contains("public var initP: Int8"))
    #expect(output.contains("public var nameBytes_: Capnp.DataReader"))
    #expect(output.contains("public var nameBytes: Capnp.DataReader"))
    #expect(output.contains("public var asReader_: UInt8"))
    #expect(output.contains("public var structBuilder_: UInt8"))
    // The client: `sendGet` is a method, so `get`'s send form becomes `sendGet_`.
    #expect(output.contains("public func sendGet_() -> CapnpRPC.PendingCall<I.GetResults>"))
    #expect(output.contains("public func sendGet() async throws(CapnpRPC.RPCError)"))
    #expect(output.contains("public func capability_() async throws(CapnpRPC.RPCError)"))
    #expect(output.contains("func dispatch_(_ call: CapnpRPC.ServerCall<I.DispatchParams, I.DispatchResults>) async throws"))
}

@Test func keywordNamesTakeATrailingUnderscore() throws {
    // `reader.`self`` would compile to the reader itself; `self_` cannot be mistaken.
    let output = try generate("""
    @0xc1f3a9d2b4e5f613;
    struct K { self @0 :Int8; init @1 :Text; return @2 :List(Int32); }
    interface J { import @0 (self :Int8) -> (return :Int8); }
    """)
    #expect(output.contains("public var self_: Int8"))
    #expect(output.contains("public var init_: String"))
    #expect(output.contains("public var return_: Capnp.List<Int32>.Reader"))
    #expect(output.contains("public func import_(self_: Int8) async throws(CapnpRPC.RPCError) -> Int8"))
    #expect(!output.contains("var `") && !output.contains("func `") && !output.contains("case `"))
}

@Test func aUnionMembersPresenceLooksAtTheDiscriminant() throws {
    let output = try generate("""
    @0xc1f3a9d2b4e5f614;
    struct Fish { fins @0 :UInt8; }
    struct A { union { fish @0 :Fish; other @1 :Text; } }
    """)
    #expect(output.contains("public var hasOther: Bool { structReader._read(0) as UInt16 == 1 && !structReader._pointer(0).isNull }"))
    #expect(output.contains("public var hasFish: Bool { structBuilder._read(0) as UInt16 == 0 && !structBuilder._pointer(0).isNull }"))
}

@Test func serverMethodsDefaultToUnimplemented() throws {
    let output = try generate("""
    @0xc1f3a9d2b4e5f615;
    interface S { one @0 () -> (); two @1 (x :Int8) -> (y :Int8); }
    """)
    #expect(output.contains("""
        public func one(_ call: CapnpRPC.ServerCall<S.OneParams, S.OneResults>) async throws {
            throw CapnpRPC.RPCError.unimplemented(call.call)
        }
    """))
    #expect(output.contains("public func two(_ call: CapnpRPC.ServerCall<S.TwoParams, S.TwoResults>) async throws {"))
}

@Test func docCommentsLandOnTheDeclarationTheyFollow() throws {
    // capnp attaches a comment to the declaration it follows or shares a line with; a comment
    // put above a method would document the interface (Echo's doc read "Releases the server object").
    let output = try generate("""
    @0xc1f3a9d2b4e5f616;
    interface Echo {
      # Answers with what it was sent.
      echo @0 (text :Text) -> (result :Text);
      # Returns `text`.
    }
    struct Point {
      # A point on the plane.
      x @0 :Int32;  # Across.
    }
    """)
    let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    func docAbove(_ declaration: String) -> String? {
        guard let at = lines.firstIndex(where: { $0.hasPrefix(declaration) }), at > 0 else { return nil }
        return lines[at - 1]
    }
    #expect(docAbove("public enum Echo {") == "/// Answers with what it was sent.")
    #expect(docAbove("public func echo(text: String)") == "/// Returns `text`.")
    #expect(docAbove("func echo(_ call:") == "/// Returns `text`.")
    #expect(docAbove("public enum Point {") == "/// A point on the plane.")
    #expect(docAbove("@inlinable public var x: Int32 { structReader") == "/// Across.")
}

@Test func nestedTypesGiveWayToGeneratedOnes() throws {
    // A nested `Client` would redeclare the generated client; a method `foo`'s params struct
    // would collide with a nested `FooParams`; a group `inner` with a nested `Inner`.
    let output = try generate("""
    @0xc1f3a9d2b4e5f617;
    interface I { struct Client { x @0 :Int8; } struct FooParams { y @0 :Int8; } foo @0 (a :Int8) -> (); }
    struct S { struct Inner { z @0 :Int8; } inner :group { w @0 :Int8; } union { a @1 :Int8; b @2 :Int8; } struct Which { v @0 :Int8; } }
    """)
    #expect(output.contains("public enum Client_ {"))
    #expect(output.contains("public struct Client {"))
    #expect(output.contains("public enum FooParams {") && output.contains("public enum FooParams_ {"))
    #expect(output.contains("public enum Inner {") && output.contains("public enum Inner_ {"))
    #expect(output.contains("public enum Which_ {") && output.contains("public enum Which: Hashable, Sendable {"))
}
