// The Init mp-test-child serves in its `init` mode: each makeTester gives a new TesterServer.

import CapnpRPC
import Multiprocess

public final class TestInitServer: TestInit.Server {
    public init() {}

    public func construct(_ call: ServerCall<TestInit.ConstructParams, TestInit.ConstructResults>) async throws {
        call.results.setThreadMap(Protocol.threadMap())
    }

    public func makeTester(_ call: ServerCall<TestInit.MakeTesterParams, TestInit.MakeTesterResults>) async throws {
        call.results.setResult(Tester.Client(serving: TesterServer()))
    }
}
