// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-multiprocess",
    products: [
        .library(name: "Capnp", targets: ["Capnp"]),
        .library(name: "CapnpRPC", targets: ["CapnpRPC"]),
        .library(name: "CapnpCompiler", targets: ["CapnpCompiler"]),
        .library(name: "Multiprocess", targets: ["Multiprocess"]),
        .library(name: "NodeInterfaces", targets: ["NodeInterfaces"]),
        .executable(name: "capnpc-swift", targets: ["capnpc-swift"]),
        .executable(name: "capnp-bench", targets: ["capnp-bench"]),
        .plugin(name: "CapnpPlugin", targets: ["CapnpPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(name: "Capnp"),
        .target(name: "CapnpCompiler", dependencies: ["Capnp"]),
        .executableTarget(name: "capnpc-swift", dependencies: ["CapnpCompiler"]),
        .executableTarget(name: "capnp-demo", dependencies: ["Capnp"], plugins: ["CapnpPlugin"]),
        .executableTarget(name: "capnp-bench", dependencies: ["Capnp", "CapnpRPC", "Multiprocess"], plugins: ["CapnpPlugin"]),
        .plugin(name: "CapnpPlugin", capability: .buildTool(), dependencies: ["capnpc-swift"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CapnpTests", dependencies: ["Capnp", "TestSupport"]),
        .target(
            name: "CCapnpRPC",
            linkerSettings: [
                .linkedLibrary("capnp-rpc"), .linkedLibrary("capnp"),
                .linkedLibrary("kj-async"), .linkedLibrary("kj"),
            ]
        ),
        .testTarget(name: "CCapnpRPCTests", dependencies: ["CCapnpRPC"]),
        .target(name: "CapnpRPC", dependencies: ["Capnp", "CCapnpRPC", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CapnpCompilerTests", dependencies: ["CapnpCompiler", "capnpc-swift", "TestSupport"]),
        .target(name: "RPCTestKit", dependencies: ["Capnp", "CapnpRPC", "Multiprocess"], path: "Tests/RPCTestKit",
                exclude: ["Schemas"], plugins: ["CapnpPlugin"]),
        .executableTarget(name: "rpc-test-peer", dependencies: ["CapnpRPC", "Multiprocess", "RPCTestKit"], path: "Tests/rpc-test-peer"),
        .testTarget(name: "CapnpRPCTests", dependencies: ["Capnp", "CapnpRPC", "Multiprocess", "RPCTestKit", "rpc-test-peer", "TestSupport",
                                                         .product(name: "Logging", package: "swift-log")]),
        .target(name: "Multiprocess", dependencies: ["Capnp", "CapnpRPC", .product(name: "Logging", package: "swift-log")]),
        .target(name: "NodeInterfaces", dependencies: ["Capnp", "CapnpRPC", "Multiprocess"]),
        .executableTarget(name: "mp-demo", dependencies: ["CapnpRPC", "Multiprocess", "NodeInterfaces"]),
        .executableTarget(name: "mp-demo-child", dependencies: ["Multiprocess", "NodeInterfaces"]),
        .executableTarget(name: "mp-test-child", dependencies: ["Multiprocess", "RPCTestKit"], path: "Tests/mp-test-child"),
        .testTarget(name: "MultiprocessTests", dependencies: ["Multiprocess", "NodeInterfaces", "CapnpRPC", "RPCTestKit", "mp-test-child",
                                                            "mp-demo", "mp-demo-child", "TestSupport"]),
        .testTarget(name: "CapnpConformanceTests", dependencies: ["Capnp", "CapnpRPC", "TestSupport"], exclude: ["Schemas"]),
        // libFuzzer targets (scripts/fuzz builds them with -sanitize=fuzzer); built plainly, each
        // replays the files it is given, as scripts/test does with the committed corpora.
        .executableTarget(name: "fuzz-reader", dependencies: ["Capnp", "CapnpRPC"], path: "Tests/Fuzz/FuzzReader",
                          exclude: ["corpus"]),
        .executableTarget(name: "fuzz-server", dependencies: ["CapnpRPC", "NodeInterfaces"], path: "Tests/Fuzz/FuzzServer",
                          exclude: ["corpus"]),
    ],
    cxxLanguageStandard: .cxx17  // capnp 0.9.2 headers fail under C++20
)
