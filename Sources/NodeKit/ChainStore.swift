// The chain state's tables in SQLite (WAL, synchronous=FULL): every block, the active chain by
// height, the UTXO set, and a txid → block index. Each block connected or disconnected is one
// transaction, so a kill at any moment leaves the store at a block boundary.

import Consensus

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
        try db.query("SELECT hash, prev, height, time, seq, failed FROM blocks").map { row in
            StoredBlock(hash: Hash256(row[0].blob!)!, previous: Hash256(row[1].blob!)!, height: Int(row[2].int!),
                        time: UInt32(row[3].int!), sequence: row[4].int!, failed: row[5].int! != 0)
        }
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
        try db.query("SELECT hash FROM active ORDER BY height").map { Hash256($0[0].blob!)! }
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
        return Coin(output: TxOut(value: row[0].int!, scriptPubKey: row[1].blob!), height: Int(row[2].int!), isCoinbase: row[3].int! != 0)
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
            coins[OutPoint(txid: Hash256(row[0].blob!)!, index: UInt32(row[1].int!))] =
                Coin(output: TxOut(value: row[2].int!, scriptPubKey: row[3].blob!), height: Int(row[4].int!), isCoinbase: row[5].int! != 0)
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
        try db.query("SELECT block FROM txindex WHERE txid = ?", [.blob(txid.bytes)]).first.map { Hash256($0[0].blob!)! }
    }
}
