// `$Swift.visibility`: generated declarations at an access level other than `public`.

enum Visibility {
    /// Rewrites each declaration's leading `public` (after any attributes) to `level`. Only the
    /// modifier at the start of a line changes: a `public` inside a string literal or a comment stays.
    static func apply(_ level: String, to source: String) -> String {
        guard level != "public" else { return source }
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices {
            let line = lines[index]
            var rest = Substring(line)
            let indent = rest.prefix { $0 == " " }
            rest = rest.dropFirst(indent.count)
            var attributes = ""
            // `@inlinable`, `@inline(__always)`, … before the modifier.
            while rest.hasPrefix("@"), let space = rest.firstIndex(of: " ") {
                attributes += rest[...space]
                rest = rest[rest.index(after: space)...]
            }
            if rest.hasPrefix("public ") {
                lines[index] = indent + attributes + level + " " + rest.dropFirst("public ".count)
            }
        }
        return lines.joined(separator: "\n")
    }
}
