// Runs a fuzz target over files when it is built without libFuzzer: a corpus as regression tests.

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
