// The chain state's tables in SQLite (WAL, synchronous=FULL): every block, the active chain by
// height, the UTXO set, and a txid → block index. Each block connected or disconnected is one
// transaction, so a kill at any moment leaves the store at a block boundary.

import Consensus
import SQLiteSupport

/// One row of the block index as the store keeps it.
struct StoredBlock {
    var hash: Hash256
    var previous: Hash256
    var height: Int
    var time: UInt32
    var sequence: Int64
    var failed: Bool
}

final class ChainStore {
    let db: SQLiteDatabase

    init(path: String) throws(StoreError) {
        db = try SQLiteDatabase(path: path)
        try db.execute("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS blocks(hash BLOB PRIMARY KEY, prev BLOB NOT NULL, height INTEGER NOT NULL,
                time INTEGER NOT NULL, seq INTEGER NOT NULL, failed INTEGER NOT NULL DEFAULT 0, data BLOB NOT NULL, undo BLOB);
            CREATE TABLE IF NOT EXISTS active(height INTEGER PRIMARY KEY, hash BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS utxo(txid BLOB NOT NULL, vout INTEGER NOT NULL, value INTEGER NOT NULL,
                script BLOB NOT NULL, height INTEGER NOT NULL, coinbase INTEGER NOT NULL, PRIMARY KEY(txid, vout)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS txindex(txid BLOB PRIMARY KEY, block BLOB NOT NULL) WITHOUT ROWID;
            """)
    }

    func transaction<T>(_ body: () throws -> T) throws -> T { try db.transaction(body) }

    // MARK: Blocks

    func allBlocks() throws(StoreError) -> [StoredBlock] {
        var blocks: [StoredBlock] = []
        for row in try db.query("SELECT hash, prev, height, time, seq, failed FROM blocks") {
            blocks.append(StoredBlock(hash: try row.hash(0), previous: try row.hash(1), height: Int(try row.int(2)),
                                      time: UInt32(truncatingIfNeeded: try row.int(3)), sequence: try row.int(4), failed: try row.int(5) != 0))
        }
        return blocks
    }

    func insertBlock(_ entry: StoredBlock, data: [UInt8]) throws(StoreError) {
        try db.query("INSERT OR IGNORE INTO blocks(hash, prev, height, time, seq, failed, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [.blob(entry.hash.bytes), .blob(entry.previous.bytes), .int(Int64(entry.height)), .int(Int64(entry.time)),
                      .int(entry.sequence), .int(entry.failed ? 1 : 0), .blob(data)])
    }

    func blockData(_ hash: Hash256) throws(StoreError) -> [UInt8]? {
        try db.query("SELECT data FROM blocks WHERE hash = ?", [.blob(hash.bytes)]).first?[0].blob
    }

    func undoData(_ hash: Hash256) throws(StoreError) -> [UInt8]? {
        try db.query("SELECT undo FROM blocks WHERE hash = ?", [.blob(hash.bytes)]).first?[0].blob
    }

    func setUndo(_ hash: Hash256, _ undo: [UInt8]) throws(StoreError) {
        try db.query("UPDATE blocks SET undo = ? WHERE hash = ?", [.blob(undo), .blob(hash.bytes)])
    }

    func setFailed(_ hash: Hash256, _ failed: Bool) throws(StoreError) {
        try db.query("UPDATE blocks SET failed = ? WHERE hash = ?", [.int(failed ? 1 : 0), .blob(hash.bytes)])
    }

    // MARK: Active chain

    func activeChain() throws(StoreError) -> [Hash256] {
        var hashes: [Hash256] = []
        for (height, row) in try db.query("SELECT height, hash FROM active ORDER BY height").enumerated() {
            guard try row.int(0) == height else { throw StoreError("the active chain has a gap at height \(height)") }
            hashes.append(try row.hash(1))
        }
        return hashes
    }

    func setActive(height: Int, hash: Hash256?) throws(StoreError) {
        if let hash {
            try db.query("INSERT OR REPLACE INTO active(height, hash) VALUES (?, ?)", [.int(Int64(height)), .blob(hash.bytes)])
        } else {
            try db.query("DELETE FROM active WHERE height = ?", [.int(Int64(height))])
        }
    }

    // MARK: UTXO set

    func coin(_ outpoint: OutPoint) throws(StoreError) -> Coin? {
        guard let row = try db.query("SELECT value, script, height, coinbase FROM utxo WHERE txid = ? AND vout = ?",
                                     [.blob(outpoint.txid.bytes), .int(Int64(outpoint.index))]).first else { return nil }
        return Coin(output: TxOut(value: try row.int(0), scriptPubKey: try row.blob(1)), height: Int(try row.int(2)), isCoinbase: try row.int(3) != 0)
    }

    func addCoin(_ outpoint: OutPoint, _ coin: Coin) throws(StoreError) {
        try db.query("INSERT OR REPLACE INTO utxo(txid, vout, value, script, height, coinbase) VALUES (?, ?, ?, ?, ?, ?)",
                     [.blob(outpoint.txid.bytes), .int(Int64(outpoint.index)), .int(coin.output.value), .blob(coin.output.scriptPubKey),
                      .int(Int64(coin.height)), .int(coin.isCoinbase ? 1 : 0)])
    }

    func removeCoin(_ outpoint: OutPoint) throws(StoreError) {
        try db.query("DELETE FROM utxo WHERE txid = ? AND vout = ?", [.blob(outpoint.txid.bytes), .int(Int64(outpoint.index))])
    }

    func allCoins() throws(StoreError) -> [OutPoint: Coin] {
        var coins: [OutPoint: Coin] = [:]
        for row in try db.query("SELECT txid, vout, value, script, height, coinbase FROM utxo") {
            coins[OutPoint(txid: try row.hash(0), index: UInt32(truncatingIfNeeded: try row.int(1)))] =
                Coin(output: TxOut(value: try row.int(2), scriptPubKey: try row.blob(3)), height: Int(try row.int(4)), isCoinbase: try row.int(5) != 0)
        }
        return coins
    }

    // MARK: Transaction index (active chain only)

    func indexTransaction(_ txid: Hash256, block: Hash256?) throws(StoreError) {
        if let block {
            try db.query("INSERT OR REPLACE INTO txindex(txid, block) VALUES (?, ?)", [.blob(txid.bytes), .blob(block.bytes)])
        } else {
            try db.query("DELETE FROM txindex WHERE txid = ?", [.blob(txid.bytes)])
        }
    }

    func blockContaining(_ txid: Hash256) throws(StoreError) -> Hash256? {
        guard let row = try db.query("SELECT block FROM txindex WHERE txid = ?", [.blob(txid.bytes)]).first else { return nil }
        return try row.hash(0)
    }
}

/// Typed reads of a row's columns: a damaged store gives a StoreError, not a crash.
private extension Array where Element == SQLValue {
    func int(_ column: Int) throws(StoreError) -> Int64 {
        guard let value = self[column].int else { throw StoreError("column \(column) is not an integer: the chain store is damaged") }
        return value
    }

    func blob(_ column: Int) throws(StoreError) -> [UInt8] {
        guard let value = self[column].blob else { throw StoreError("column \(column) is not a blob: the chain store is damaged") }
        return value
    }

    func hash(_ column: Int) throws(StoreError) -> Hash256 {
        guard let value = Hash256(try blob(column)) else { throw StoreError("column \(column) is not a 32-byte hash: the chain store is damaged") }
        return value
    }
}
