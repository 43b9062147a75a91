// The generated-code version this runtime supports: each generated file names it, so a file
// written by a capnpc-swift that does not match fails to compile at that line.

/// Named by files generated for version 1 of the runtime API (`CodeGenerator.runtimeVersion`).
/// Generated code only.
public enum _GeneratedWithCapnpcSwiftVersion_1 {}
