// The conformance schemas on disk, and the `capnp` tool over them: the oracle every test here
// compares against.

import Foundation
import TestSupport

enum Schema: String {
    case test = "test.capnp"
    case imported = "imported.capnp"

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Schemas")

    var path: String { Self.directory.appendingPathComponent(rawValue).path }

    /// The `capnp` tool over this schema.
    var tool: CapnpTool { CapnpTool(schema: path) }
}

/// The `capnp` tool over test.capnp (TestSupport's CapnpTool), named as the oracle it is here.
let Oracle = Schema.test.tool
