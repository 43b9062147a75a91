// One loaded wallet: its keys, coins and transactions in its database, kept in step with the chain
// through notifications (handled in order) and a rescan on load; spending and backups.

import Consensus
import SQLiteSupport
#if canImport(Glibc)
import Glibc
#endif

public actor WalletState {
    public let name: String
    public let directory: String
    private let database: WalletDatabase
    private let keys: WalletKeys
    private let chain: any WalletChain
    private let maturity: Int
    /// Our output scripts: which branch and index each key is.
    private var scripts: [[UInt8]: (change: Bool, index: UInt32)] = [:]
    // Coinbase outputs count as immature until 101 confirmations (Bitcoin Core's wallet rule,
    // one block stricter than consensus) so a balance never includes a coin the next block can't spend.
    /// Inputs of created but uncommitted transactions.
    private var reserved: Set<OutPointKey> = []
    private var cancelled = false
    private var progressHandlers: [Int: @Sendable (String, Int) -> Void] = [:]
    private var transactionHandlers: [Int: @Sendable (Hash256, Int) -> Void] = [:]
    private var nextHandler = 0

    /// Makes `<walletDir>/<name>/wallet.sqlite` with `seed` (or 32 fresh random bytes); fails if it exists.
    public static func create(name: String, walletDir: String, seed: [UInt8]?, hrp: String, chain: any WalletChain,
                              maturity: Int = 100) throws(WalletError) -> WalletState {
        let directory = "\(walletDir)/\(name)"
        guard WalletState.validName(name) else { throw .notFound("wallet names are letters, digits, '-' and '_': \(name)") }
        guard access(directory, F_OK) != 0 else { throw .exists("wallet \"\(name)\" already exists in \(walletDir)") }
        mkdir(walletDir, 0o700)
        guard mkdir(directory, 0o700) == 0 else { throw .exists("cannot create \(directory): errno \(errno)") }
        let seed = seed ?? randomBytes(32)
        let keys = try WalletKeys(seed: seed, hrp: hrp)  // checks the seed before anything is written
        let database = try WalletDatabase(path: "\(directory)/wallet.sqlite")
        try database.transaction { () throws(WalletError) in
            try database.setMeta("seed", seed)
            try database.setMeta("hrp", Array(hrp.utf8))
            try database.setMetaInt("next_receive", 0)
            try database.setMetaInt("next_change", 0)
        }
        return WalletState(name: name, directory: directory, database: database, keys: keys, chain: chain, maturity: maturity)
    }

    /// Opens an existing wallet (or a backup file at `path`); the caller then runs `rescan`.
    public static func load(name: String, walletDir: String, chain: any WalletChain, maturity: Int = 100,
                            path: String? = nil) throws(WalletError) -> WalletState {
        let directory = "\(walletDir)/\(name)"
        let file = path ?? "\(directory)/wallet.sqlite"
        guard access(file, F_OK) == 0 else { throw .notFound("no wallet \"\(name)\": \(file) does not exist (createwallet makes one)") }
        let database = try WalletDatabase(path: file)
        guard let seed = try database.meta("seed"), let hrp = try database.meta("hrp") else {
            throw .corrupt("\(file) has no seed")
        }
        let keys = try WalletKeys(seed: seed, hrp: String(decoding: hrp, as: UTF8.self))
        let wallet = WalletState(name: name, directory: directory, database: database, keys: keys, chain: chain, maturity: maturity)
        return wallet
    }

    private init(name: String, directory: String, database: WalletDatabase, keys: WalletKeys, chain: any WalletChain, maturity: Int) {
        self.name = name
        self.directory = directory
        self.database = database
        self.keys = keys
        self.chain = chain
        self.maturity = maturity
    }

    static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    private func loadScripts() throws(WalletError) {
        guard scripts.isEmpty else { return }
        for row in try database.query("SELECT script, change, idx FROM keys") {
            scripts[try row.blob(0)] = (try row.int(1) != 0, UInt32(try row.int(2)))
        }
    }

    // MARK: - Keys

    /// A new receive address (…/0/i) with `label`.
    public func newAddress(label: String = "") throws(WalletError) -> String {
        try newKey(change: false, label: label).address
    }

    private func newKey(change: Bool, label: String) throws(WalletError) -> (address: String, script: [UInt8]) {
        try loadScripts()
        let counter = change ? "next_change" : "next_receive"
        return try database.transaction { () throws(WalletError) -> (String, [UInt8]) in
            let index = UInt32(try database.metaInt(counter) ?? 0)
            let address = try keys.address(change: change, index: index)
            let script = try keys.scriptPubKey(change: change, index: index)
            try database.query("INSERT INTO keys (script, change, idx, address, label) VALUES (?, ?, ?, ?, ?)",
                               [.blob(script), .int(change ? 1 : 0), .int(Int64(index)), .text(address), .text(label)])
            try database.setMetaInt(counter, Int64(index) + 1)
            scripts[script] = (change, index)
            return (address, script)
        }
    }

    /// Every address handed out: (address, label, is change), in order.
    public func addresses() throws(WalletError) -> [(address: String, label: String, change: Bool)] {
        try database.query("SELECT address, label, change FROM keys ORDER BY change, idx").map { row throws(WalletError) in
            (try row.text(0), try row.text(1), try row.int(2) != 0)
        }
    }

    // MARK: - Chain events (call them in the order the chain sends them)

    public func blockConnected(_ block: Block, height: Int) async throws(WalletError) {
        try loadScripts()
        let hash = block.hash
        let (lastHash, lastHeight) = try lastBlock()
        if height <= lastHeight, try database.query("SELECT 1 FROM blocks WHERE height = ? AND hash = ?",
                                                    [.int(Int64(height)), .blob(hash.bytes)]).count > 0 { return }  // seen
        guard height == lastHeight + 1, block.header.previousBlockHash == lastHash || lastHeight < 0 else {
            // A gap (events while we were away): the rescan from our last block fills it in order.
            try await rescan()
            return
        }
        try database.transaction { () throws(WalletError) in
            for tx in block.transactions { try record(tx, blockHash: hash, height: height) }
            try database.query("INSERT OR REPLACE INTO blocks (height, hash) VALUES (?, ?)", [.int(Int64(height)), .blob(hash.bytes)])
        }
    }

    public func blockDisconnected(_ block: Block, height: Int) throws(WalletError) {
        try database.transaction { () throws(WalletError) in
            for tx in block.transactions {
                if tx.isCoinbase {
                    // A disconnected coinbase can never return: it and anything spending it are conflicted.
                    try database.query("UPDATE txs SET abandoned = 1, block_hash = NULL, block_height = -1 WHERE txid = ?", [.blob(tx.txid.bytes)])
                } else {
                    try database.query("UPDATE txs SET block_hash = NULL, block_height = -1 WHERE txid = ?", [.blob(tx.txid.bytes)])
                }
            }
            try database.query("DELETE FROM blocks WHERE height >= ?", [.int(Int64(height))])
        }
    }

    public func transactionAddedToMempool(_ tx: Transaction) throws(WalletError) {
        try loadScripts()
        try database.transaction { () throws(WalletError) in try record(tx, blockHash: nil, height: -1) }
    }

    /// `reason` as MemPoolRemovalReason: a transaction removed for a block is handled by blockConnected;
    /// one removed by a conflict or reorg can no longer confirm, so its inputs are freed.
    public func transactionRemovedFromMempool(_ tx: Transaction, conflicted: Bool) throws(WalletError) {
        guard conflicted else { return }
        try database.transaction { () throws(WalletError) in
            try database.query("UPDATE txs SET abandoned = 1 WHERE txid = ? AND block_height < 0", [.blob(tx.txid.bytes)])
        }
    }

    /// Stores `tx` if it pays or spends us; marks the coins it spends. Idempotent.
    private func record(_ tx: Transaction, blockHash: Hash256?, height: Int, fee: Int64 = 0) throws(WalletError) {
        let txid = tx.txid.bytes
        var ours = false
        for input in tx.inputs where !tx.isCoinbase {
            let key: [SQLValue] = [.blob(input.previousOutput.txid.bytes), .int(Int64(input.previousOutput.index))]
            if try database.query("SELECT 1 FROM coins WHERE txid = ? AND vout = ?", key).count > 0 {
                ours = true
                try database.query("UPDATE coins SET spent_by = ? WHERE txid = ? AND vout = ?", [.blob(txid)] + key)
            }
        }
        let fromMe = ours
        for (vout, output) in tx.outputs.enumerated() where scripts[output.scriptPubKey] != nil {
            ours = true
            try database.query("INSERT OR IGNORE INTO coins (txid, vout, value, script) VALUES (?, ?, ?, ?)",
                               [.blob(txid), .int(Int64(vout)), .int(output.value), .blob(output.scriptPubKey)])
        }
        guard ours else { return }
        let known = try !database.query("SELECT 1 FROM txs WHERE txid = ?", [.blob(txid)]).isEmpty
        for handler in transactionHandlers.values { handler(tx.txid, known ? 1 : 0) }
        try database.query("""
            INSERT INTO txs (txid, raw, block_hash, block_height, time, coinbase, fee, from_me) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (txid) DO UPDATE SET block_hash = excluded.block_hash, block_height = excluded.block_height,
                abandoned = CASE WHEN excluded.block_height >= 0 THEN 0 ELSE abandoned END
            """, [.blob(txid), .blob(tx.serialized()), blockHash.map { .blob($0.bytes) } ?? .null, .int(Int64(height)),
                  .int(Int64(time(nil))), .int(tx.isCoinbase ? 1 : 0), .int(fee), .int(fromMe ? 1 : 0)])
    }

    /// Marks a new wallet as having seen the chain up to `hash` at `height` (its keys are new, so
    /// nothing before can pay them): loading rescans from there, not from genesis.
    public func setBirth(hash: Hash256, height: Int) throws(WalletError) {
        try database.transaction { () throws(WalletError) in
            try database.query("INSERT OR REPLACE INTO blocks (height, hash) VALUES (?, ?)", [.int(Int64(height)), .blob(hash.bytes)])
        }
    }

    /// Calls `handler` with (txid, 0 new / 1 updated) for every transaction recorded or changed.
    public func addTransactionHandler(_ handler: @escaping @Sendable (Hash256, Int) -> Void) -> Int {
        nextHandler += 1
        transactionHandlers[nextHandler] = handler
        return nextHandler
    }

    public func removeTransactionHandler(_ id: Int) { transactionHandlers[id] = nil }

    /// The height of the last block the wallet has processed (-1: none yet).
    public func lastBlockHeight() throws(WalletError) -> Int { try lastBlock().1 }

    private func lastBlock() throws(WalletError) -> (Hash256?, Int) {
        guard let row = try database.query("SELECT hash, height FROM blocks ORDER BY height DESC LIMIT 1").first else { return (nil, -1) }
        return (Hash256(try row.blob(0)), Int(try row.int(1)))
    }

    // MARK: - Rescan

    /// Brings the wallet to the chain's tip: drops blocks the chain no longer has, then reads each
    /// block after our last, reporting progress through the chain. `cancel()` stops it.
    public func rescan() async throws(WalletError) {
        try loadScripts()
        var (_, lastHeight) = try lastBlock()
        // Roll back blocks the active chain no longer has (a reorg while we were away).
        while lastHeight >= 0 {
            let ours = try database.query("SELECT hash FROM blocks WHERE height = ?", [.int(Int64(lastHeight))]).first.map { row throws(WalletError) in try row.blob(0) }
            if let ours, let theirs = try await chain.blockHash(height: lastHeight), theirs.bytes == ours { break }
            if let ours, let hash = Hash256(ours), let found = try await chain.block(hash) {
                try blockDisconnected(found.block, height: lastHeight)
            } else {
                try database.transaction { () throws(WalletError) in
                    try database.query("DELETE FROM blocks WHERE height >= ?", [.int(Int64(lastHeight))])
                }
            }
            lastHeight -= 1
        }
        let tip = try await chain.tip().height
        guard tip > lastHeight else {
            try await resendUnconfirmed()  // even with no new block: a commit may be recorded but not yet sent
            return
        }
        await chain.initMessage("Rescanning wallet \(name)…")
        let title = "Rescanning \(name)"
        let start = lastHeight + 1
        var reported = -1
        for height in start...tip {
            if cancelled { throw .cancelled("the rescan of wallet \(name) was cancelled: it was unloaded") }
            guard let hash = try await chain.blockHash(height: height), let found = try await chain.block(hash) else {
                break  // the chain shrank under us: the disconnect notifications follow
            }
            try await blockConnected(found.block, height: height)
            let progress = (height - start + 1) * 100 / (tip - start + 1)
            if progress / 10 != reported / 10 || height == tip {
                reported = progress
                await chain.showProgress(title: title, progress: progress, resumePossible: true)
                for handler in progressHandlers.values { handler(title, progress) }
            }
        }
        await chain.showProgress(title: title, progress: 100, resumePossible: false)
        try await resendUnconfirmed()
    }

    /// Asks an ongoing rescan to stop (unloading does this).
    public func cancel() { cancelled = true }

    /// Calls `handler` with rescan progress until `removeProgressHandler`.
    public func addProgressHandler(_ handler: @escaping @Sendable (String, Int) -> Void) -> Int {
        nextHandler += 1
        progressHandlers[nextHandler] = handler
        return nextHandler
    }

    public func removeProgressHandler(_ id: Int) { progressHandlers[id] = nil }

    /// Broadcasts again our unconfirmed, unabandoned transactions the mempool lacks: a commit that
    /// was recorded but not yet broadcast when the process died goes out now, once.
    private func resendUnconfirmed() async throws(WalletError) {
        for row in try database.query("SELECT raw FROM txs WHERE block_height < 0 AND abandoned = 0 AND from_me = 1 ORDER BY seq") {
            guard let tx = try? Transaction(bytes: try row.blob(0)) else { throw .corrupt("a stored transaction does not parse") }
            if try await chain.isInMempool(tx.txid) { continue }
            _ = try await chain.broadcast(tx, maxFee: 0)
        }
    }

    // MARK: - Balances and history

    public func balances() throws(WalletError) -> Balances {
        let tip = try lastBlock().1
        var result = Balances()
        let rows = try database.query("""
            SELECT c.value, t.block_height, t.coinbase, t.from_me FROM coins c JOIN txs t ON t.txid = c.txid
            WHERE t.abandoned = 0
              AND (c.spent_by IS NULL OR NOT EXISTS (SELECT 1 FROM txs s WHERE s.txid = c.spent_by AND s.abandoned = 0))
            """)
        for row in rows {
            let value = try row.int(0), height = Int(try row.int(1)), coinbase = try row.int(2) != 0, fromMe = try row.int(3) != 0
            if height < 0 {
                if fromMe { result.trusted += value } else { result.untrustedPending += value }
            } else if coinbase && tip - height < maturity {
                result.immature += value
            } else {
                result.trusted += value
            }
        }
        return result
    }

    public func transactions() throws(WalletError) -> [WalletTransaction] {
        try database.query("SELECT txid FROM txs ORDER BY seq").map { row throws(WalletError) in
            guard let tx = try transaction(Hash256(try row.blob(0)) ?? .zero) else { throw .corrupt("a txid vanished") }
            return tx
        }
    }

    public func transaction(_ txid: Hash256) throws(WalletError) -> WalletTransaction? {
        guard let row = try database.query("SELECT raw, block_hash, block_height, time, abandoned, coinbase, fee FROM txs WHERE txid = ?",
                                           [.blob(txid.bytes)]).first else { return nil }
        guard let tx = try? Transaction(bytes: try row.blob(0)) else { throw .corrupt("stored transaction \(txid.hex) does not parse") }
        let received = try database.query("SELECT COALESCE(SUM(value), 0) FROM coins WHERE txid = ?", [.blob(txid.bytes)]).first?.int(0) ?? 0
        let sent = try database.query("SELECT COALESCE(SUM(value), 0) FROM coins WHERE spent_by = ?", [.blob(txid.bytes)]).first?.int(0) ?? 0
        let height = Int(try row.int(2))
        let tip = try lastBlock().1
        return WalletTransaction(transaction: tx, amount: received - sent, fee: try row.int(6),
                                 blockHash: row[1].blob.flatMap(Hash256.init), blockHeight: height,
                                 confirmations: height < 0 ? 0 : tip - height + 1, isCoinbase: try row.int(5) != 0,
                                 abandoned: try row.int(4) != 0, time: try row.int(3))
    }

    // MARK: - Spending

    private func spendableCoins() throws(WalletError) -> [SpendableCoin] {
        let tip = try lastBlock().1
        var coins: [SpendableCoin] = []
        for row in try database.query("""
            SELECT c.txid, c.vout, c.value, c.script, t.block_height, t.coinbase, t.from_me FROM coins c JOIN txs t ON t.txid = c.txid
            WHERE t.abandoned = 0
              AND (c.spent_by IS NULL OR NOT EXISTS (SELECT 1 FROM txs s WHERE s.txid = c.spent_by AND s.abandoned = 0))
            """) {
            let key = OutPointKey(txid: try row.blob(0), vout: UInt32(try row.int(1)))
            let height = Int(try row.int(4)), coinbase = try row.int(5) != 0, fromMe = try row.int(6) != 0
            guard !reserved.contains(key), height >= 0 || fromMe, !(coinbase && tip - height < maturity),
                  let owner = scripts[try row.blob(3)] else { continue }
            coins.append(SpendableCoin(outpoint: key, value: try row.int(2), change: owner.change, index: owner.index))
        }
        return coins
    }

    /// Selects coins, adds change to a new change address and signs (BIP143). `feeRate` 0 asks the
    /// chain (estimateSmartFee, else relayMinFee). The inputs stay reserved until committed.
    public func createTransaction(recipients: [(address: String, amount: Int64)], feeRate: Int64 = 0,
                                  subtractFeeFromOutputs: Bool = false) async throws(WalletError) -> CreatedTransaction {
        try loadScripts()
        guard !recipients.isEmpty else { throw .badAmount("a transaction needs at least one recipient") }
        var outputs: [TxOut] = []
        for recipient in recipients {
            guard let address = try? SegwitAddress(recipient.address, expectedHRP: keys.hrp) else {
                throw .badAddress("\(recipient.address) is not a \(keys.hrp) segwit address")
            }
            guard recipient.amount > CoinSelection.dust, Amount.isInRange(recipient.amount) else {
                throw .badAmount("amount \(recipient.amount) must be above the dust limit \(CoinSelection.dust) and at most 21M coins")
            }
            outputs.append(TxOut(value: recipient.amount, scriptPubKey: address.scriptPubKey))
        }
        var rate = feeRate
        if rate <= 0 { rate = try await chain.estimateSmartFee(blocks: 6) }
        if rate <= 0 { rate = try await chain.relayMinFee() }
        let amount = outputs.reduce(0) { $0 + $1.value }
        let selection = try CoinSelection.select(try spendableCoins(), amount: amount, outputs: outputs.count, feeRate: rate,
                                                 subtractFee: subtractFeeFromOutputs)
        if subtractFeeFromOutputs {
            let share = selection.fee / Int64(outputs.count)
            for i in outputs.indices { outputs[i].value -= share + (i == 0 ? selection.fee % Int64(outputs.count) : 0) }
            guard outputs.allSatisfy({ $0.value > CoinSelection.dust }) else { throw .badAmount("after subtracting the fee an output is dust") }
        }
        var changePosition = -1
        if selection.change > 0 {
            let change = try newKey(change: true, label: "")
            changePosition = outputs.count
            outputs.append(TxOut(value: selection.change, scriptPubKey: change.script))
        }
        var tx = Transaction(inputs: selection.coins.map {
            TxIn(previousOutput: OutPoint(txid: Hash256($0.outpoint.txid) ?? .zero, index: $0.outpoint.vout), sequence: 0xffff_fffd)
        }, outputs: outputs)
        for (i, coin) in selection.coins.enumerated() {
            let key = try keys.privateKey(change: coin.change, index: coin.index)
            Signer.signP2WPKH(&tx, inputIndex: i, key: key, spent: TxOut(value: coin.value, scriptPubKey: Script.p2wpkh(keyHash: key.publicKey.hash160)))
        }
        for coin in selection.coins { reserved.insert(coin.outpoint) }
        return CreatedTransaction(transaction: tx, fee: selection.fee, changePosition: changePosition)
    }

    /// Records `tx` with its inputs spent (one database transaction), then broadcasts it. A refusal
    /// removes it again and throws the node's reason. If the process dies in between, the next load
    /// broadcasts it (resendUnconfirmed): recorded once, never lost.
    public func commitTransaction(_ tx: Transaction) async throws(WalletError) {
        try loadScripts()
        let txid = tx.txid
        var spentValue: Int64 = 0
        for input in tx.inputs {
            spentValue += try database.query("SELECT value FROM coins WHERE txid = ? AND vout = ?",
                                             [.blob(input.previousOutput.txid.bytes), .int(Int64(input.previousOutput.index))]).first?.int(0) ?? 0
        }
        let fee = spentValue - tx.outputs.reduce(0) { $0 + $1.value }
        try database.transaction { () throws(WalletError) in
            if try database.query("SELECT 1 FROM txs WHERE txid = ?", [.blob(txid.bytes)]).isEmpty {
                try record(tx, blockHash: nil, height: -1, fee: fee)
                try database.query("UPDATE txs SET from_me = 1, fee = ? WHERE txid = ?", [.int(fee), .blob(txid.bytes)])
            }
        }
        for input in tx.inputs { reserved.remove(OutPointKey(txid: input.previousOutput.txid.bytes, vout: input.previousOutput.index)) }
        if let reason = try await chain.broadcast(tx, maxFee: 0) {
            try database.transaction { () throws(WalletError) in
                try database.query("UPDATE coins SET spent_by = NULL WHERE spent_by = ?", [.blob(txid.bytes)])
                try database.query("DELETE FROM coins WHERE txid = ?", [.blob(txid.bytes)])
                try database.query("DELETE FROM txs WHERE txid = ?", [.blob(txid.bytes)])
            }
            throw .refused(reason)
        }
    }

    /// Marks an unconfirmed transaction the mempool does not hold as abandoned, freeing its inputs.
    public func abandonTransaction(_ txid: Hash256) async throws(WalletError) -> Bool {
        guard let tx = try transaction(txid) else { throw .unknownTransaction(txid.hex) }
        guard tx.blockHeight < 0, !tx.abandoned, try await !chain.isInMempool(txid) else { return false }
        try database.transaction { () throws(WalletError) in
            try database.query("UPDATE txs SET abandoned = 1 WHERE txid = ?", [.blob(txid.bytes)])
        }
        return true
    }

    // MARK: - Backup

    /// Writes a consistent copy of the database to `fd` (an open, writable file; not closed here):
    /// SQLite's backup into a temporary file beside the wallet, then copied, so the wallet needs no
    /// access to wherever `fd` points.
    public func backup(to fd: Int32) throws(WalletError) {
        let temporary = "\(directory)/backup-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite"
        defer { unlink(temporary); unlink(temporary + "-journal") }
        do { try database.db.backup(toPath: temporary) } catch { throw .database(error) }
        guard let file = fopen(temporary, "rb") else { throw .database(StoreError("cannot read back \(temporary)")) }
        defer { fclose(file) }
        guard ftruncate(fd, 0) == 0 || errno == EINVAL else { throw .database(StoreError("cannot truncate the backup file: errno \(errno)")) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = buffer[written..<n].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                guard w > 0 else { throw .database(StoreError("writing the backup failed: errno \(errno)")) }
                written += w
            }
        }
        guard fsync(fd) == 0 || errno == EINVAL else { throw .database(StoreError("fsync of the backup failed: errno \(errno)")) }
    }
}

/// Fresh seed bytes from the system's CSPRNG (getrandom on Linux).
private func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}
