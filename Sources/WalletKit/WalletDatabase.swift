// A wallet's SQLite file, <datadir>/wallets/<name>/wallet.sqlite: its seed, handed-out keys, the
// blocks it has seen, its transactions and coins. WAL mode; callers group each change in one transaction.

import SQLiteSupport

final class WalletDatabase {
    let db: SQLiteDatabase

    init(path: String) throws(WalletError) {
        do {
            db = try SQLiteDatabase(path: path)
            try db.execute("""
                PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS keys (script BLOB PRIMARY KEY, change INTEGER NOT NULL, idx INTEGER NOT NULL,
                                                 address TEXT NOT NULL, label TEXT NOT NULL, UNIQUE (change, idx));
                CREATE TABLE IF NOT EXISTS blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS txs (seq INTEGER PRIMARY KEY AUTOINCREMENT, txid BLOB UNIQUE NOT NULL, raw BLOB NOT NULL,
                                                block_hash BLOB, block_height INTEGER NOT NULL DEFAULT -1, time INTEGER NOT NULL,
                                                abandoned INTEGER NOT NULL DEFAULT 0, coinbase INTEGER NOT NULL, fee INTEGER NOT NULL DEFAULT 0,
                                                from_me INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE IF NOT EXISTS coins (txid BLOB NOT NULL, vout INTEGER NOT NULL, value INTEGER NOT NULL, script BLOB NOT NULL,
                                                  spent_by BLOB, PRIMARY KEY (txid, vout));
                """)
        } catch { throw .database(error) }
    }

    func transaction<T>(_ body: () throws(WalletError) -> T) throws(WalletError) -> T {
        do {
            return try db.transaction { () throws -> T in try body() }
        } catch let error as WalletError { throw error } catch let error as StoreError { throw .database(error) } catch {
            throw .corrupt("\(error)")
        }
    }

    @discardableResult
    func query(_ sql: String, _ values: [SQLValue] = []) throws(WalletError) -> [[SQLValue]] {
        do { return try db.query(sql, values) } catch { throw .database(error) }
    }

    func meta(_ key: String) throws(WalletError) -> [UInt8]? {
        try query("SELECT value FROM meta WHERE key = ?", [.text(key)]).first?.first?.blob
    }

    func setMeta(_ key: String, _ value: [UInt8]) throws(WalletError) {
        try query("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [.text(key), .blob(value)])
    }

    func metaInt(_ key: String) throws(WalletError) -> Int64? {
        try meta(key).map { bytes in bytes.reduce(Int64(0)) { $0 << 8 | Int64($1) } }
    }

    func setMetaInt(_ key: String, _ value: Int64) throws(WalletError) {
        try setMeta(key, (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) })
    }
}

extension Array where Element == SQLValue {
    /// Typed reads of a row's columns: a damaged wallet file gives a WalletError, not a crash.
    func int(_ column: Int) throws(WalletError) -> Int64 {
        guard column < count, let value = self[column].int else { throw .corrupt("column \(column) is not an integer") }
        return value
    }

    func blob(_ column: Int) throws(WalletError) -> [UInt8] {
        guard column < count, let value = self[column].blob else { throw .corrupt("column \(column) is not a blob") }
        return value
    }

    func text(_ column: Int) throws(WalletError) -> String {
        guard column < count, let value = self[column].text else { throw .corrupt("column \(column) is not text") }
        return value
    }
}
