// Transactions and blocks refused with their reasons: bad signature, double spend (in the mempool
// and of a spent coin), overspend, non-standard output, immature coinbase spend, and blocks that
// overpay the coinbase or break the merkle root.

import Consensus
import NodeKit
import TestSupport
import Testing

@Suite struct RefusalTests {
    let alice = TestChain.key(11), bob = TestChain.key(12)

    /// A chain of 101 blocks paying alice, so the first coinbase is spendable.
    func matured() async throws -> TestChain {
        let t = try TestChain()
        _ = try await t.chain.generate(count: 101, to: TestChain.script(alice))
        return t
    }

    func rule(_ body: () async throws -> Void) async -> ValidationError.Rule? {
        do { try await body() } catch let error as NodeError { return error.validationError?.rule } catch { return nil }
        return nil
    }

    @Test func aBadSignatureIsRefused() async throws {
        let t = try await matured()
        var tx = TestChain.spend(try await t.coinbase(at: 1), key: alice, to: [TxOut(value: Amount.coin, scriptPubKey: TestChain.script(bob))])
        tx.outputs[0].value += 1  // after signing
        #expect(await rule { try await t.chain.acceptToMempool(tx) } == .badSignature)
        // Signed by bob for alice's coin.
        let wrongKey = TestChain.spend(try await t.coinbase(at: 1), key: bob, to: [TxOut(value: Amount.coin, scriptPubKey: TestChain.script(bob))])
        #expect(await rule { try await t.chain.acceptToMempool(wrongKey) } == .badSignature)
        #expect(await t.chain.mempoolInfo.count == 0)
    }

    @Test func doubleSpendsAreRefusedInTheMempoolAndAfterConfirmation() async throws {
        let t = try await matured()
        let coinbase = try await t.coinbase(at: 1)
        let first = TestChain.spend(coinbase, key: alice, to: [TxOut(value: Amount.coin, scriptPubKey: TestChain.script(bob))])
        let second = TestChain.spend(coinbase, key: alice, to: [TxOut(value: 2 * Amount.coin, scriptPubKey: TestChain.script(bob))])
        try await t.chain.acceptToMempool(first)
        #expect(await rule { try await t.chain.acceptToMempool(second) } == .mempoolConflict)
        _ = try await t.chain.generate(count: 1, to: TestChain.script(bob))
        #expect(await rule { try await t.chain.acceptToMempool(second) } == .missingOrSpent)
        // And in a block: the double spend of a confirmed coin.
        let block = try await t.block(with: [second])
        #expect(await rule { try await t.chain.submitBlock(block) } == .missingOrSpent)
        #expect(await t.chain.height == 102)
    }

    @Test func anOverspendIsRefused() async throws {
        let t = try await matured()
        let tx = TestChain.spend(try await t.coinbase(at: 1), key: alice, to: [TxOut(value: 51 * Amount.coin, scriptPubKey: TestChain.script(bob))])
        #expect(await rule { try await t.chain.acceptToMempool(tx) } == .overspend)
    }

    @Test func feesBelowTheRelayMinimumOrAboveTheCallersMaximumAreRefused() async throws {
        let t = try await matured()
        let coinbase = try await t.coinbase(at: 1)
        let free = TestChain.spend(coinbase, key: alice, to: [TxOut(value: 50 * Amount.coin - 50, scriptPubKey: TestChain.script(bob))])
        #expect(await rule { try await t.chain.acceptToMempool(free) } == .minRelayFeeNotMet)
        let generous = TestChain.spend(coinbase, key: alice, to: [TxOut(value: 40 * Amount.coin, scriptPubKey: TestChain.script(bob))])
        #expect(await rule { try await t.chain.acceptToMempool(generous, maxFee: Amount.coin) } == .maxFeeExceeded)
        #expect(await t.chain.mempoolInfo.count == 0)
        #expect(try await t.chain.acceptToMempool(generous, maxFee: 10 * Amount.coin) == 10 * Amount.coin)
    }

    @Test func aNonStandardOutputIsRefused() async throws {
        let t = try await matured()
        let bare = [0x21] + bob.publicKey.compressed + [0xac]  // P2PK
        let tx = TestChain.spend(try await t.coinbase(at: 1), key: alice, to: [TxOut(value: Amount.coin, scriptPubKey: bare)])
        do {
            try await t.chain.acceptToMempool(tx)
            Issue.record("a P2PK output was accepted")
        } catch {
            #expect(error.validationError?.rule == .nonStandardOutput)
            #expect(error.description.contains("non-standard output script"))
        }
    }

    @Test func anImmatureCoinbaseSpendIsRefusedUntilMaturity() async throws {
        let t = try TestChain()
        _ = try await t.chain.generate(count: 100, to: TestChain.script(alice))
        let tx = TestChain.spend(try await t.coinbase(at: 1), key: alice, to: [TxOut(value: Amount.coin, scriptPubKey: TestChain.script(bob))])
        // At height 100 the next block is 101: the coinbase of height 1 has 100 confirmations only then.
        #expect(await rule { try await t.chain.acceptToMempool(tx) } == nil)
        let later = TestChain.spend(try await t.coinbase(at: 2), key: alice, to: [TxOut(value: Amount.coin, scriptPubKey: TestChain.script(bob))])
        #expect(await rule { try await t.chain.acceptToMempool(later) } == .prematureCoinbaseSpend)
        let block = try await t.block(with: [later])
        #expect(await rule { try await t.chain.submitBlock(block) } == .prematureCoinbaseSpend)
    }

    @Test func blocksThatOverpayOrLieAboutTheirMerkleRootAreRefused() async throws {
        let t = try TestChain()
        let overpaid = try await t.block(with: [], coinbaseValue: 50 * Amount.coin + 1)
        #expect(await rule { try await t.chain.submitBlock(overpaid) } == .badCoinbaseAmount)
        var lying = try await t.block(with: [])
        lying.header.merkleRoot = Hash256.of([1])
        lying.header = try #require(ProofOfWork.solve(lying.header))
        #expect(await rule { try await t.chain.submitBlock(lying) } == .badMerkleRoot)
        var noWork = try await t.block(with: [])
        while noWork.header.hasValidProofOfWork { noWork.header.nonce += 1 }
        #expect(await rule { try await t.chain.submitBlock(noWork) } == .highHash)
        #expect(await t.chain.height == 0)
    }
}
