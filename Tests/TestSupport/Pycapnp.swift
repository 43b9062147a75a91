// Where the pycapnp interop peers are: the venv python scripts/setup makes, and the scripts in
// Tests/Interop. The one place tests look for them.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum Pycapnp {
    /// The package's root directory (this file is Tests/TestSupport/Pycapnp.swift).
    public static let packageRoot = String(#filePath).components(separatedBy: "/Tests/TestSupport/").first!

    /// The venv's python, which has pycapnp, or nil when scripts/setup has not made the venv.
    public static let python: String? = {
        let path = packageRoot + "/.venv/bin/python"
        return access(path, X_OK) == 0 ? path : nil
    }()

    /// The path of `name` in Tests/Interop.
    public static func script(_ name: String) -> String { packageRoot + "/Tests/Interop/" + name }
}
