// Every Init server answers `construct` the same way: with a ThreadMap of its own.

import CapnpRPC
import Multiprocess

extension Init.Server {
    public func construct(_ call: ServerCall<Init.ConstructParams, Init.ConstructResults>) async throws {
        call.results.setThreadMap(Protocol.threadMap())
    }
}
