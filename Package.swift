// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-multiprocess",
    products: [
        .library(name: "Capnp", targets: ["Capnp"]),
        .library(name: "CapnpCompiler", targets: ["CapnpCompiler"]),
        .executable(name: "capnpc-swift", targets: ["capnpc-swift"]),
        .plugin(name: "CapnpPlugin", targets: ["CapnpPlugin"]),
    ],
    targets: [
        .target(name: "Capnp"),
        .target(name: "CapnpCompiler", dependencies: ["Capnp"]),
        .executableTarget(name: "capnpc-swift", dependencies: ["CapnpCompiler"]),
        .executableTarget(name: "capnp-demo", dependencies: ["Capnp"], plugins: ["CapnpPlugin"]),
        .plugin(name: "CapnpPlugin", capability: .buildTool(), dependencies: ["capnpc-swift"]),
        .testTarget(name: "CapnpTests", dependencies: ["Capnp"]),
        .testTarget(name: "CapnpCompilerTests", dependencies: ["CapnpCompiler", "capnpc-swift"]),
        .testTarget(name: "CapnpConformanceTests", dependencies: ["Capnp"], exclude: ["Schemas"]),
    ]
)
