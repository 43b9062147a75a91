// The chain state in a datadir: mining from genesis, spending a matured coinbase, the coinbase
// amount and fees, and a restart that resumes at the same tip with the same UTXO set.

import Consensus
import NodeKit
import TestSupport
import Testing

@Suite struct ChainStateTests {
    @Test func aNewDatadirStartsAtTheRegtestGenesis() async throws {
        let t = try TestChain()
        #expect(await t.chain.height == 0)
        #expect(await t.chain.tip.hash.hex == "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206")
        #expect(try await t.chain.utxoSet().isEmpty)  // genesis outputs are not spendable, as in Bitcoin
    }

    @Test func minedCoinsMatureSpendAndPayFeesToTheMiner() async throws {
        let t = try TestChain()
        let alice = TestChain.key(1), bob = TestChain.key(2)
        let address = SegwitAddress(hrp: "bcrt", p2wpkhKeyHash: alice.publicKey.hash160).description
        let hashes = try await t.chain.generate(count: 101, toAddress: address)
        #expect(hashes.count == 101)
        #expect(await t.chain.height == 101)
        #expect(try await t.chain.utxoSet().count == 101)
        let coinbase = try await t.coinbase(at: 1)
        #expect(coinbase.outputs[0].value == 50 * Amount.coin)
        #expect(coinbase.outputs[0].scriptPubKey == TestChain.script(alice))

        let spend = TestChain.spend(coinbase, key: alice, to: [TxOut(value: 30 * Amount.coin, scriptPubKey: TestChain.script(bob)),
                                                               TxOut(value: 19 * Amount.coin, scriptPubKey: TestChain.script(alice))])
        #expect(try await t.chain.acceptToMempool(spend) == Amount.coin)
        #expect(await t.chain.mempoolInfo.count == 1)
        let minerKey = TestChain.key(3)
        let block102 = try await t.chain.generate(count: 1, to: TestChain.script(minerKey))[0]
        #expect(await t.chain.mempoolInfo.count == 0)
        let block = try #require(try await t.chain.block(block102))
        #expect(block.transactions.map(\.txid) == [block.transactions[0].txid, spend.txid])
        #expect(block.transactions[0].outputs[0].value == 50 * Amount.coin + Amount.coin)  // subsidy + fee
        #expect(try await t.chain.coin(OutPoint(txid: coinbase.txid, index: 0)) == nil)
        #expect(try await t.chain.coin(OutPoint(txid: spend.txid, index: 0))?.output.value == 30 * Amount.coin)
        #expect(try await t.chain.transaction(spend.txid)?.block == block102)
    }

    @Test func aRestartResumesAtTheSameTipAndUTXOSet() async throws {
        let directory = try TemporaryDirectory("nodekit")
        let key = TestChain.key(4)
        var tip: Hash256
        var coins: [OutPoint: Coin]
        do {
            let chain = try ChainState(datadir: directory.path)
            _ = try await chain.generate(count: 105, to: TestChain.script(key))
            let hash = try #require(await chain.blockHash(height: 2))
            let coinbase = try #require(try await chain.block(hash)).transactions[0]
            try await chain.acceptToMempool(TestChain.spend(coinbase, key: key, to: [TxOut(value: Amount.coin, scriptPubKey: TestChain.script(key))]))
            _ = try await chain.generate(count: 1, to: TestChain.script(key))
            tip = await chain.tip.hash
            coins = try await chain.utxoSet()
        }
        let reopened = try ChainState(datadir: directory.path)
        #expect(await reopened.tip.hash == tip)
        #expect(await reopened.height == 106)
        #expect(try await reopened.utxoSet() == coins)
        // It goes on from there.
        let next = try await reopened.generate(count: 1, to: TestChain.script(key))[0]
        #expect(try await reopened.blockInfo(next)?.header.previousBlockHash == tip)
    }

    @Test func aDamagedStoreIsATypedErrorNotACrash() throws {
        let directory = try TemporaryDirectory("nodekit")
        try directory.write("chainstate.sqlite", String(repeating: "not a database ", count: 400))
        #expect(throws: NodeError.self) { try ChainState(datadir: directory.path) }
        // A store whose genesis is another chain's.
        let other = try TemporaryDirectory("nodekit")
        do {
            let chain = try ChainState(datadir: other.path)
            _ = chain
        }
        let db = other.path + "/chainstate.sqlite"
        let result = try ToolRunner.run("/usr/bin/env", ["python3", "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE active SET hash=zeroblob(32) WHERE height=0'); c.commit()", db])
        try #require(result.status == 0, "python3's sqlite3 could not edit the store: \(result.stderr)")
        #expect(throws: NodeError.self) { try ChainState(datadir: other.path) }
    }

    @Test func badAddressesAreRefusedWithTheReason() async throws {
        let t = try TestChain()
        await #expect(throws: NodeError.self) { try await t.chain.generate(count: 1, toAddress: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4") }
        await #expect(throws: NodeError.self) { try await t.chain.generate(count: 1, toAddress: "bcrt1qnotanaddress") }
        #expect(await t.chain.height == 0)
    }
}
