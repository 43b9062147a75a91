// In the module that holds the generated code, its own names win over imported ones: a schema
// interface named `Data` or `Thread` is used unqualified here, beside Foundation and Multiprocess.

import CapnpRPC
import Foundation
import Multiprocess

/// How many bytes a `Data` capability holds, and what a `Thread` runs: it compiles only while
/// this module's `Data` and `Thread` shadow Foundation's and Multiprocess's.
package func sizeAndRun(_ data: Data.Client, on thread: Thread.Client, _ method: Method.Client) async throws -> (UInt64, String) {
    (try await data.size(), try await thread.run(method: method))
}
