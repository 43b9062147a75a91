// Reorgs through invalidateBlock/reconsiderBlock with transactions: tips, UTXO set and mempool as
// expected after each step, and the notifications in the order things happened.

import Consensus
import NodeKit
import TestSupport
import Testing

@Suite struct ReorgTests {
    let alice = TestChain.key(21), bob = TestChain.key(22), miner = TestChain.key(23)

    @Test func invalidateMineALongerForkThenReconsiderKeepsTheLongerFork() async throws {
        let t = try TestChain()
        _ = try await t.chain.generate(count: 101, to: TestChain.script(alice))
        let log = EventLog()
        await t.chain.subscribe { log.append($0) }
        let pay = TestChain.spend(try await t.coinbase(at: 1), key: alice, to: [TxOut(value: 10 * Amount.coin, scriptPubKey: TestChain.script(bob))])
        try await t.chain.acceptToMempool(pay)
        let x = try await t.chain.generate(count: 1, to: TestChain.script(miner))[0]
        let id = String(pay.txid.hex.prefix(8))
        #expect(log.take() == ["added \(id)", "removed \(id) block", "connected 102", "tip 102"])
        // Then chainStateFlushed, with the locator of the new tip: 102 down to 91, then steps that double.
        let expected = [102, 101, 100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 89, 85, 77, 61, 29, 0]
        var heights: [Hash256] = []
        for height in expected { heights.append(try #require(await t.chain.blockHash(height: height))) }
        #expect(log.takeLocator() == heights)
        let xCoinbase = try await t.coinbase(at: 102)

        // Invalidate X: its payment returns to the mempool, its outputs leave the UTXO set.
        try await t.chain.invalidateBlock(x)
        #expect(await t.chain.height == 101)
        #expect(await t.chain.isInMempool(pay.txid))
        #expect(try await t.chain.coin(OutPoint(txid: pay.txid, index: 0)) == nil)
        #expect(try await t.chain.coin(OutPoint(txid: xCoinbase.txid, index: 0)) == nil)
        #expect(try await t.chain.coin(OutPoint(txid: try await t.coinbase(at: 1).txid, index: 0)) != nil)
        #expect(log.take() == ["disconnected 102", "added \(id)", "tip 101"])
        #expect(try await t.chain.blockInfo(x)?.invalid == true)

        // A fork of two blocks takes the payment.
        let fork = try await t.chain.generate(count: 2, to: TestChain.script(miner))
        #expect(try await t.chain.transaction(pay.txid)?.block == fork[0])
        #expect(log.take() == ["removed \(id) block", "connected 102", "tip 102", "connected 103", "tip 103"])

        // Reconsidering X: its chain (102) has less work than the fork (103), so nothing moves.
        try await t.chain.reconsiderBlock(x)
        #expect(await t.chain.tip.hash == fork[1])
        #expect(try await t.chain.blockInfo(x)?.invalid == false)
        #expect(try await t.chain.blockInfo(x)?.inActiveChain == false)
        #expect(log.take() == [])

        // Invalidating the fork's first block makes X's chain the best again: back to X, and the
        // payment, confirmed in X, stays out of the mempool.
        try await t.chain.invalidateBlock(fork[0])
        #expect(await t.chain.tip.hash == x)
        #expect(await t.chain.mempoolInfo.count == 0)
        #expect(try await t.chain.transaction(pay.txid)?.block == x)
        #expect(try await t.chain.coin(OutPoint(txid: xCoinbase.txid, index: 0)) != nil)
        #expect(log.take() == ["disconnected 103", "disconnected 102", "connected 102", "tip 102"])
        try await checkAgainstReplay(t.chain)
    }

    @Test func aBlockSpendingWhatAMempoolTransactionSpendsRemovesItAsAConflict() async throws {
        let t = try TestChain()
        _ = try await t.chain.generate(count: 101, to: TestChain.script(alice))
        let coinbase = try await t.coinbase(at: 1)
        let parent = TestChain.spend(coinbase, key: alice, to: [TxOut(value: 49 * Amount.coin, scriptPubKey: TestChain.script(bob))])
        let child = TestChain.spend(parent, key: bob, to: [TxOut(value: 48 * Amount.coin, scriptPubKey: TestChain.script(bob))])
        try await t.chain.acceptToMempool(parent)
        try await t.chain.acceptToMempool(child)
        let log = EventLog()
        await t.chain.subscribe { log.append($0) }
        let rival = TestChain.spend(coinbase, key: alice, to: [TxOut(value: 40 * Amount.coin, scriptPubKey: TestChain.script(alice))])
        try await t.chain.submitBlock(try await t.block(with: [rival]))
        #expect(await t.chain.mempoolInfo.count == 0)
        #expect(log.take() == ["removed \(parent.txid.hex.prefix(8)) conflict", "removed \(child.txid.hex.prefix(8)) conflict",
                               "connected 102", "tip 102"])
    }

    @Test func invalidatingABlockWhoseCoinbaseAMempoolTransactionSpendsDropsItAsReorg() async throws {
        let t = try TestChain()
        _ = try await t.chain.generate(count: 101, to: TestChain.script(alice))
        let spend = TestChain.spend(try await t.coinbase(at: 2), key: alice, to: [TxOut(value: Amount.coin, scriptPubKey: TestChain.script(bob))])
        let child = TestChain.spend(spend, key: bob, to: [TxOut(value: Amount.coin / 2, scriptPubKey: TestChain.script(bob))])
        try await t.chain.acceptToMempool(spend)
        try await t.chain.acceptToMempool(child)
        let log = EventLog()
        await t.chain.subscribe { log.append($0) }
        // Without block 101, the coinbase of height 2 is immature for the next block (101); the
        // child goes with its parent, and says so.
        try await t.chain.invalidateBlock(try #require(await t.chain.blockHash(height: 101)))
        #expect(await t.chain.mempoolInfo.count == 0)
        #expect(log.take() == ["disconnected 101", "removed \(spend.txid.hex.prefix(8)) reorg", "removed \(child.txid.hex.prefix(8)) reorg",
                               "tip 100"])
    }

    // Catches removing a confirmed transaction's mempool descendants with it.
    @Test func aConfirmedParentLeavesItsMempoolChildInPlace() async throws {
        let t = try TestChain()
        _ = try await t.chain.generate(count: 101, to: TestChain.script(alice))
        let parent = TestChain.spend(try await t.coinbase(at: 1), key: alice, to: [TxOut(value: 49 * Amount.coin, scriptPubKey: TestChain.script(bob))])
        let child = TestChain.spend(parent, key: bob, to: [TxOut(value: 48 * Amount.coin, scriptPubKey: TestChain.script(bob))])
        try await t.chain.acceptToMempool(parent)
        try await t.chain.acceptToMempool(child)
        let log = EventLog()
        await t.chain.subscribe { log.append($0) }
        try await t.chain.submitBlock(try await t.block(with: [parent], coinbaseValue: 50 * Amount.coin + Amount.coin))
        #expect(await t.chain.mempoolEntries.map(\.txid) == [child.txid])
        #expect(log.take() == ["removed \(parent.txid.hex.prefix(8)) block", "connected 102", "tip 102"])
        // And the miner confirms the child next.
        let next = try await t.chain.generate(count: 1, to: TestChain.script(miner))[0]
        #expect(try await t.chain.transaction(child.txid)?.block == next)
    }

    @Test func aLongerForkWithAnInvalidBlockIsRefusedAndTheStoreStaysConsistent() async throws {
        let t = try TestChain()
        _ = try await t.chain.generate(count: 101, to: TestChain.script(alice))
        let a100 = try #require(await t.chain.blockHash(height: 100))
        let f101 = try await t.block(with: [], parent: a100)
        try await t.chain.submitBlock(f101)  // as much work as the tip: stored, not active
        #expect(try await t.chain.blockInfo(f101.hash)?.inActiveChain == false)
        // F102 spends an output that does not exist: the reorg to it fails at F102.
        var bogus = Transaction(inputs: [TxIn(previousOutput: OutPoint(txid: Hash256.of([7]), index: 0))],
                                outputs: [TxOut(value: Amount.coin, scriptPubKey: TestChain.script(bob))])
        Signer.signP2WPKH(&bogus, inputIndex: 0, key: alice, spent: TxOut(value: Amount.coin, scriptPubKey: TestChain.script(alice)))
        let f102 = try await t.block(with: [bogus], parent: f101.hash)
        do {
            try await t.chain.submitBlock(f102)
            Issue.record("a block spending a missing output was accepted")
        } catch {
            #expect(error.validationError?.rule == .missingOrSpent)
        }
        #expect(await t.chain.height == 101)
        #expect(try await t.chain.blockInfo(f102.hash)?.invalid == true)
        try await checkAgainstReplay(t.chain)
    }

    @Test func notificationsArriveInOrderOnAnAsyncStream() async throws {
        let t = try TestChain()
        let stream = await t.chain.notifications()
        let hashes = try await t.chain.generate(count: 3, to: TestChain.script(miner))
        try await t.chain.invalidateBlock(hashes[1])
        var seen: [String] = []
        for await event in stream {
            switch event {
            case .blockConnected(let block, let height): seen.append("connected \(height) \(block.hash == hashes[height - 1])")
            case .blockDisconnected(_, let height): seen.append("disconnected \(height)")
            case .updatedBlockTip(_, let height): seen.append("tip \(height)")
            case .chainStateFlushed(let locator): seen.append("flushed \(locator.count)")
            default: seen.append("other")
            }
            if seen.count == 12 { break }
        }
        #expect(seen == ["connected 1 true", "tip 1", "flushed 2", "connected 2 true", "tip 2", "flushed 3",
                         "connected 3 true", "tip 3", "flushed 4", "disconnected 3", "disconnected 2", "tip 1"])
    }
}

/// Re-validates `chain`'s active blocks from genesis in a fresh datadir: the tip and UTXO set must agree.
func checkAgainstReplay(_ chain: ChainState) async throws {
    let replay = try TestChain()
    let height = await chain.height
    for h in 1...max(height, 1) where h <= height {
        let hash = try #require(await chain.blockHash(height: h))
        try await replay.chain.submitBlock(try #require(try await chain.block(hash)))
    }
    #expect(await replay.chain.tip.hash == chain.tip.hash)
    #expect(try await replay.chain.utxoSet() == chain.utxoSet())
}
