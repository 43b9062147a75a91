// Blocks the miner assembles, checked by the embit oracle: hash, merkle root, witness commitment,
// BIP34 height, txids, and the signatures of the spends they carry.

import Consensus
import NodeKit
import TestSupport
import Testing

@Suite(.enabled(if: BitcoinOracle.python != nil, "run scripts/setup: embit is not in .venv"))
struct MinedBlockOracleTests {
    @Test func embitAgreesOnMinedBlocksAndTheirSpends() async throws {
        let t = try TestChain()
        let alice = TestChain.key(31), bob = TestChain.key(32)
        _ = try await t.chain.generate(count: 103, to: TestChain.script(alice))
        var spends: [(Transaction, TxOut)] = []
        for height in 1...3 {
            let coinbase = try await t.coinbase(at: height)
            // Different fees, so feerate order differs from arrival order.
            let tx = TestChain.spend(coinbase, key: alice, to: [TxOut(value: 49 * Amount.coin - Int64(height) * 1000, scriptPubKey: TestChain.script(bob)),
                                                               TxOut(value: 0, scriptPubKey: Script.nullData(Array("h\(height)".utf8)))])
            try await t.chain.acceptToMempool(tx)
            spends.append((tx, coinbase.outputs[0]))
        }
        let hash = try await t.chain.generate(count: 1, to: TestChain.script(bob))[0]
        let block = try #require(try await t.chain.block(hash))
        // Highest feerate first: the spend of height 3's coinbase paid the most.
        #expect(block.transactions.dropFirst().map(\.txid) == spends.reversed().map(\.0.txid))
        let first = try await t.coinbase(at: 1)
        let firstBlock = try #require(try await t.chain.transaction(first.txid)?.block)
        let genesisAndTip = [ChainParams.regtest.genesis, try #require(try await t.chain.block(firstBlock)), block]

        let answer = try BitcoinOracle.ask([
            "blocks": genesisAndTip.map { Hex.encode($0.serialized()) },
            "transactions": spends.map { tx, spent in
                ["hex": Hex.encode(tx.serialized()), "spent": [["value": spent.value, "script": Hex.encode(spent.scriptPubKey)]]] as [String: Any]
            },
        ])
        let blocks = try #require(answer["blocks"] as? [[String: Any]])
        for (ours, theirs) in zip(genesisAndTip, blocks) {
            #expect(theirs["hash"] as? String == ours.hash.hex)
            #expect(theirs["merkle_root"] as? String == ours.header.merkleRoot.hex)
            #expect(theirs["txids"] as? [String] == ours.transactions.map(\.txid.hex))
        }
        #expect(blocks[0]["hash"] as? String == "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206")
        #expect(blocks[2]["witness_commitment_ok"] as? Bool == true)
        #expect(blocks[2]["coinbase_script_sig"] as? String == "016800")  // push of 104, then OP_0
        let transactions = try #require(answer["transactions"] as? [[String: Any]])
        for ((tx, _), theirs) in zip(spends, transactions) {
            #expect(theirs["wtxid"] as? String == tx.wtxid.hex)
            #expect(theirs["signatures_valid"] as? [Bool] == [true])
        }
    }
}
