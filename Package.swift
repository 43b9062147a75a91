// swift-tools-version: 6.1
import PackageDescription

// Upcoming language features every Swift target of ours builds with.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// Executables that are spawned as children start faster and smaller (scripts/bench P4, P6):
// the Swift runtime linked statically (no ten Swift shared libraries to load and relocate), and
// no PIE (no 24,000 relative relocations dirtying pages at each start). The price of -no-pie:
// the executable's own code sits at a fixed address (libraries, heap and stack stay randomized).
// Not for an executable a test target depends on (mp-demo-child, mp-test-child): SwiftPM passes its
// linker flags on to the test bundle's link, which then fails to link Foundation statically.
let spawnedExecutableLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-static-stdlib", "-Xclang-linker", "-no-pie"], .when(platforms: [.linux])),
]

let package = Package(
    name: "swift-multiprocess",
    // Libraries users build on, the generator and its plugin. Demos, the bench and test peers are
    // executable targets only: `swift run`/`swift build --product` still reach them.
    products: [
        .library(name: "Capnp", targets: ["Capnp"]),
        .library(name: "CapnpCompiler", targets: ["CapnpCompiler"]),
        .executable(name: "capnpc-swift", targets: ["capnpc-swift"]),
        .plugin(name: "CapnpPlugin", targets: ["CapnpPlugin"]),
        .library(name: "CapnpRPC", targets: ["CapnpRPC"]),
        .library(name: "Multiprocess", targets: ["Multiprocess"]),
        .library(name: "NodeInterfaces", targets: ["NodeInterfaces"]),
        .library(name: "Consensus", targets: ["Consensus"]),
        .library(name: "NodeKit", targets: ["NodeKit"]),
        .library(name: "WalletKit", targets: ["WalletKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    // By layer, bottom up: wire format, generator, C shim, RPC, Multiprocess, interfaces, the node's
    // system libraries, the shared SQLite wrapper, Consensus, NodeKit and WalletKit, then executables, then test support and tests.
    targets: [
        .target(name: "Capnp", swiftSettings: swiftSettings),
        .target(name: "CapnpCompiler", dependencies: ["Capnp"], swiftSettings: swiftSettings),
        .executableTarget(name: "capnpc-swift", dependencies: ["CapnpCompiler"], swiftSettings: swiftSettings),
        .plugin(name: "CapnpPlugin", capability: .buildTool(), dependencies: ["capnpc-swift"]),
        .target(
            name: "CCapnpRPC",
            linkerSettings: [
                .linkedLibrary("capnp-rpc"), .linkedLibrary("capnp"),
                .linkedLibrary("kj-async"), .linkedLibrary("kj"),
            ]
        ),
        .target(name: "CapnpRPC", dependencies: ["Capnp", "CCapnpRPC", .product(name: "Logging", package: "swift-log")],
                swiftSettings: swiftSettings),
        .target(name: "Multiprocess", dependencies: ["Capnp", "CapnpRPC", .product(name: "Logging", package: "swift-log")],
                swiftSettings: swiftSettings),
        .target(name: "NodeInterfaces", dependencies: ["Capnp", "CapnpRPC", "Multiprocess"], swiftSettings: swiftSettings),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CLibcrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "SQLiteSupport", dependencies: ["CSQLite"], swiftSettings: swiftSettings),
        .target(name: "Consensus", dependencies: ["CSecp256k1", "CLibcrypto"], swiftSettings: swiftSettings),
        .target(name: "NodeKit", dependencies: ["Consensus", "SQLiteSupport", "CapnpRPC", "Multiprocess", "NodeInterfaces"], swiftSettings: swiftSettings),
        .target(name: "WalletKit", dependencies: ["Consensus", "SQLiteSupport", "CSecp256k1", "Capnp", "CapnpRPC", "Multiprocess", "NodeInterfaces"], swiftSettings: swiftSettings),

        .executableTarget(name: "capnp-demo", dependencies: ["Capnp"], swiftSettings: swiftSettings, plugins: ["CapnpPlugin"]),
        .executableTarget(name: "mp-demo", dependencies: ["CapnpRPC", "Multiprocess", "NodeInterfaces"], swiftSettings: swiftSettings),
        .executableTarget(name: "mp-demo-child", dependencies: ["Multiprocess", "NodeInterfaces"], swiftSettings: swiftSettings),
        .executableTarget(name: "noded", dependencies: ["NodeKit", "NodeInterfaces", "node-wallet", "Consensus", "Multiprocess", "CapnpRPC", .product(name: "Logging", package: "swift-log"),
                                                  .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swiftSettings),
        .executableTarget(name: "node-cli", dependencies: ["NodeInterfaces", "Multiprocess", "CapnpRPC", "Consensus",
                                                     .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swiftSettings),
        .executableTarget(name: "node-wallet", dependencies: ["WalletKit", "CapnpRPC", "Multiprocess", "NodeInterfaces"], swiftSettings: swiftSettings),
        .executableTarget(name: "node-bench", dependencies: ["NodeKit", "NodeInterfaces", "Multiprocess", "CapnpRPC", "Consensus"],
                          swiftSettings: swiftSettings),
        .executableTarget(name: "capnp-bench", dependencies: ["Capnp", "CapnpRPC", "CCapnpRPC", "Multiprocess"], swiftSettings: swiftSettings,
                          linkerSettings: spawnedExecutableLinkerSettings, plugins: ["CapnpPlugin"]),

        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .target(name: "RPCTestKit", dependencies: ["Capnp", "CapnpRPC", "Multiprocess"], path: "Tests/RPCTestKit",
                exclude: ["Schemas"], swiftSettings: swiftSettings, plugins: ["CapnpPlugin"]),
        .executableTarget(name: "rpc-test-peer", dependencies: ["CapnpRPC", "Multiprocess", "RPCTestKit"], path: "Tests/rpc-test-peer",
                          swiftSettings: swiftSettings),
        .executableTarget(name: "mp-test-child", dependencies: ["CapnpRPC", "Multiprocess", "RPCTestKit"], path: "Tests/mp-test-child",
                          swiftSettings: swiftSettings),
        .testTarget(name: "CapnpTests", dependencies: ["Capnp", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "CapnpCompilerTests", dependencies: ["CapnpCompiler", "capnpc-swift", "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "CapnpConformanceTests", dependencies: ["Capnp", "CapnpRPC", "TestSupport"], exclude: ["Schemas"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "CCapnpRPCTests", dependencies: ["CCapnpRPC", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "CapnpRPCTests", dependencies: ["Capnp", "CapnpRPC", "Multiprocess", "RPCTestKit", "rpc-test-peer", "TestSupport",
                                                         .product(name: "Logging", package: "swift-log")],
                    swiftSettings: swiftSettings),
        // The compile test for names: NameCollisionTests uses NameCollisionSchemas' interfaces unqualified.
        .target(name: "NameCollisionSchemas", dependencies: ["Capnp", "CapnpRPC", "Multiprocess"], path: "Tests/NameCollisionSchemas",
                swiftSettings: swiftSettings, plugins: ["CapnpPlugin"]),
        .testTarget(name: "NameCollisionTests", dependencies: ["Capnp", "CapnpRPC", "Multiprocess", "NameCollisionSchemas", "TestSupport"],
                    swiftSettings: swiftSettings),
        .executableTarget(name: "nodekit-test-miner", dependencies: ["Consensus", "NodeKit"], path: "Tests/nodekit-test-miner",
                          swiftSettings: swiftSettings),
        .testTarget(name: "ConsensusTests", dependencies: ["Consensus", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "WalletTests", dependencies: ["WalletKit", "Consensus", "NodeKit", "NodeInterfaces", "Multiprocess", "CapnpRPC", "Capnp",
                                                     "SQLiteSupport", "node-wallet", "noded", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "NodeKitTests", dependencies: ["NodeKit", "Consensus", "nodekit-test-miner", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "MiningTests", dependencies: ["NodeInterfaces", "NodeKit", "Consensus", "Multiprocess", "CapnpRPC", "Capnp", "noded", "node-cli",
                                                      "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "NodedTests", dependencies: ["Capnp", "NodeKit", "NodeInterfaces", "Consensus", "CapnpRPC", "Multiprocess", "noded", "node-cli",
                                                   "TestSupport"],
                    swiftSettings: swiftSettings),
        .testTarget(name: "MultiprocessTests", dependencies: ["Multiprocess", "NodeInterfaces", "CapnpRPC", "RPCTestKit", "mp-test-child",
                                                            "mp-demo", "mp-demo-child", "TestSupport"],
                    swiftSettings: swiftSettings),
        // libFuzzer targets (scripts/fuzz builds them with -sanitize=fuzzer); built plainly, each
        // replays the files it is given, as scripts/test does with the committed corpora.
        .executableTarget(name: "fuzz-reader", dependencies: ["Capnp", "CapnpRPC"], path: "Tests/Fuzz/FuzzReader",
                          exclude: ["corpus"], swiftSettings: swiftSettings),
        .executableTarget(name: "fuzz-server", dependencies: ["CapnpRPC", "NodeInterfaces"], path: "Tests/Fuzz/FuzzServer",
                          exclude: ["corpus"], swiftSettings: swiftSettings),
    ],
    cxxLanguageStandard: .cxx17  // capnp 0.9.2 headers fail under C++20
)
