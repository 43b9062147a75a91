// How a fuzz target runs: under libFuzzer's driver (scripts/fuzz), or over files, a corpus as
// regression tests, when built plainly.

import Foundation

func replayCorpus(_ paths: ArraySlice<String>, _ body: (UnsafeRawBufferPointer) -> Void) {
    var files: [String] = []
    for path in paths {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files += names.sorted().map { path + "/" + $0 }
        } else {
            files.append(path)
        }
    }
    for file in files {
        guard let data = FileManager.default.contents(atPath: file) else { continue }
        data.withUnsafeBytes { body($0) }
    }
    print("replayed \(files.count) inputs")
}

/// Hands over to libFuzzer (linked as libclang_rt.fuzzer_no_main by scripts/fuzz); its status.
func runFuzzer(_ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32 {
    typealias Driver = @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                                       @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "LLVMFuzzerRunDriver") else {  // this executable's own
        print("LLVMFuzzerRunDriver is not linked in: build with scripts/fuzz")
        return 2
    }
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    return unsafeBitCast(symbol, to: Driver.self)(&argc, &argv, body)
}
