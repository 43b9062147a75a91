// The one Swift wrapper over SQLite's C API that the chain store and the wallet DB share: open a
// database, run statements with bound values, read rows, and group writes in transactions.

import CSQLite

/// SQLite reported an error; the description has its message and the statement.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A value bound to or read from a statement.
public enum SQLValue: Sendable {
    case int(Int64)
    case blob([UInt8])
    case text(String)
    case null
}

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// An open database connection. Not thread-safe: its owner (the chain state, a wallet) serializes use.
public final class SQLiteDatabase {
    private var db: OpaquePointer?
    public let path: String

    public init(path: String) throws(StoreError) {
        self.path = path
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            throw StoreError("cannot open the database \(path): \(message)")
        }
        db = handle
        sqlite3_busy_timeout(handle, 5000)
    }

    deinit { sqlite3_close_v2(db) }

    /// Runs one or more statements that take no values and return no rows.
    public func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw StoreError("\(text) in: \(sql)")
        }
    }

    /// Runs `sql` with `values` bound in order; returns every row as an array of values.
    @discardableResult
    public func query(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> [[SQLValue]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { throw error(sql) }
        defer { sqlite3_finalize(statement) }
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .int(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .blob(let b): rc = b.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(b.count), transient) }
            case .text(let t): rc = sqlite3_bind_text(statement, index, t, -1, transient)
            case .null: rc = sqlite3_bind_null(statement, index)
            }
            guard rc == SQLITE_OK else { throw error(sql) }
        }
        var rows: [[SQLValue]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return rows }
            guard rc == SQLITE_ROW else { throw error(sql) }
            var row: [SQLValue] = []
            for column in 0..<sqlite3_column_count(statement) {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(statement, column)))
                case SQLITE_BLOB:
                    let count = Int(sqlite3_column_bytes(statement, column))
                    if count == 0 { row.append(.blob([])); break }
                    let base = sqlite3_column_blob(statement, column)!.assumingMemoryBound(to: UInt8.self)
                    row.append(.blob(Array(UnsafeBufferPointer(start: base, count: count))))
                case SQLITE_TEXT: row.append(.text(String(cString: sqlite3_column_text(statement, column))))
                default: row.append(.null)
                }
            }
            rows.append(row)
        }
    }

    /// Runs `body` in one IMMEDIATE transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Copies the whole database, consistently, into a new database at `path` (SQLite's online
    /// backup API, so writers elsewhere are not blocked for long and the copy is never torn).
    public func backup(toPath path: String) throws(StoreError) {
        let target = try SQLiteDatabase(path: path)
        guard let backup = sqlite3_backup_init(target.db, "main", db, "main") else {
            throw StoreError("cannot back up to \(path): \(String(cString: sqlite3_errmsg(target.db)))")
        }
        let rc = sqlite3_backup_step(backup, -1)
        sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE else { throw StoreError("backup to \(path) failed: \(String(cString: sqlite3_errstr(rc)))") }
    }

    private func error(_ sql: String) -> StoreError {
        StoreError("\(String(cString: sqlite3_errmsg(db))) in: \(sql)")
    }
}

extension SQLValue {
    public var int: Int64? { if case .int(let v) = self { v } else { nil } }
    public var blob: [UInt8]? { if case .blob(let v) = self { v } else { nil } }
    public var text: String? { if case .text(let v) = self { v } else { nil } }
}
