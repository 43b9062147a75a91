// An indentation-aware text buffer for generated Swift.

struct CodeWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ content: String = "") {
        if content.isEmpty {
            // No blank line right after an opening brace.
            if text.hasSuffix("{\n") { return }
            text += "\n"
        } else {
            text += String(repeating: "    ", count: depth) + content + "\n"
        }
    }

    /// Writes each line of `block` at the current indentation.
    mutating func lines(_ block: String) {
        var parts = block.split(separator: "\n", omittingEmptySubsequences: false)
        if parts.last?.isEmpty == true { parts.removeLast() }
        for part in parts { line(String(part)) }
    }

    mutating func indent() { depth += 1 }
    mutating func dedent() { depth -= 1 }

    /// Writes `///` lines for a doc comment, if there is one.
    mutating func doc(_ comment: String?) {
        guard let comment, !comment.isEmpty else { return }
        var lines = comment.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.trimmingTrailingSpaces.isEmpty == true { lines.removeLast() }
        for text in lines {
            let trimmed = text.trimmingTrailingSpaces
            line(trimmed.isEmpty ? "///" : "/// " + (trimmed.hasPrefix(" ") ? String(trimmed.dropFirst()) : trimmed))
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var result = self
        while result.last == " " || result.last == "\t" { result.removeLast() }
        return result
    }
}
