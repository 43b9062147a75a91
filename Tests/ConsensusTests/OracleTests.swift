// embit (PyPI) as the outside oracle: it parses our transactions and a block we assemble,
// recomputes txid, wtxid, block hash and merkle root, and verifies our signatures with its own
// pure-Python secp256k1.

import Consensus
import TestSupport
import Testing

@Suite(.enabled(if: BitcoinOracle.python != nil, "run scripts/setup: embit is not in .venv"))
struct OracleTests {
    @Test func embitAgreesOnOurTransactionsIdsAndSignatures() throws {
        var request: [[String: Any]] = []
        var transactions: [(Transaction, [TxOut])] = []
        for seed in UInt8(1)...UInt8(4) {
            let key = TestKeys.key(seed)
            let spent = (0..<Int(seed)).map { TxOut(value: Int64($0 + 1) * Amount.coin, scriptPubKey: TestKeys.p2wpkh(key)) }
            var tx = TestKeys.spend(spent, key: key, to: [TxOut(value: Amount.coin / 2, scriptPubKey: TestKeys.p2wpkh(TestKeys.key(50))),
                                                          TxOut(value: 0, scriptPubKey: Script.nullData(Array("oracle".utf8)))])
            if seed == 4 { tx.outputs[0].value += 1 }  // signed before the change: the oracle must say invalid
            transactions.append((tx, spent))
            request.append(["hex": Hex.encode(tx.serialized()),
                            "spent": spent.map { ["value": $0.value, "script": Hex.encode($0.scriptPubKey)] as [String: Any] }])
        }
        let answer = try BitcoinOracle.ask(["transactions": request])
        let described = try #require(answer["transactions"] as? [[String: Any]])
        #expect(described.count == transactions.count)
        for ((tx, spent), item) in zip(transactions, described) {
            #expect(item["reserialized"] as? String == Hex.encode(tx.serialized()))
            #expect(item["txid"] as? String == tx.txid.hex)
            #expect(item["embit_txid"] as? String == tx.txid.hex)
            #expect(item["wtxid"] as? String == tx.wtxid.hex)
            #expect(item["weight"] as? Int == tx.weight)
            let valid = try #require(item["signatures_valid"] as? [Bool])
            let ours = (try? TransactionChecks.verifySpends(tx, spent: spent)) != nil
            #expect(valid == Array(repeating: ours, count: spent.count))
        }
        #expect((described.last?["signatures_valid"] as? [Bool])?.contains(false) == true)
    }

    // Catches a BIP143 digest that is right for ALL but wrong for NONE, SINGLE or ANYONECANPAY.
    @Test func embitVerifiesEveryHashTypeWeSign() throws {
        let key = TestKeys.key(12)
        let spent = [TxOut(value: 4 * Amount.coin, scriptPubKey: TestKeys.p2wpkh(key)), TxOut(value: Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))]
        let types: [UInt32] = [0x01, 0x02, 0x03, 0x81, 0x82, 0x83]
        var request: [[String: Any]] = []
        for type in types {
            var tx = TestKeys.spend(spent, key: key, to: [TxOut(value: Amount.coin, scriptPubKey: TestKeys.p2wpkh(TestKeys.key(13))),
                                                          TxOut(value: 2 * Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))])
            for i in spent.indices { Signer.signP2WPKH(&tx, inputIndex: i, key: key, spent: spent[i], type: SighashType(rawValue: type)) }
            try TransactionChecks.verifySpends(tx, spent: spent)
            request.append(["hex": Hex.encode(tx.serialized()),
                            "spent": spent.map { ["value": $0.value, "script": Hex.encode($0.scriptPubKey)] as [String: Any] }])
        }
        let described = try #require(try BitcoinOracle.ask(["transactions": request])["transactions"] as? [[String: Any]])
        #expect(described.map { $0["signatures_valid"] as? [Bool] } == types.map { _ in [true, true] })
    }

    @Test func embitAgreesOnABlocksHashMerkleRootAndWitnessCommitment() throws {
        let key = TestKeys.key(8)
        let spent = [TxOut(value: 3 * Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))]
        let payments = (0..<4).map { i in
            TestKeys.spend(spent, key: key, to: [TxOut(value: Amount.coin + Int64(i), scriptPubKey: TestKeys.p2wpkh(key))], seed: UInt8(20 + i))
        }
        var coinbase = Transaction(inputs: [TxIn(previousOutput: .null, scriptSig: Script.heightPush(300) + [0, 0],
                                                 witness: [[UInt8](repeating: 0, count: 32)])],
                                   outputs: [TxOut(value: 25 * Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))])
        var block = Block(header: BlockHeader(version: 0x2000_0000, previousBlockHash: ChainParams.regtest.genesis.hash,
                                              merkleRoot: .zero, time: 1_296_688_700, bits: 0x207f_ffff, nonce: 0),
                          transactions: [coinbase] + payments)
        coinbase.outputs.append(TxOut(value: 0, scriptPubKey: WitnessCommitment.script(witnessRoot: block.computedWitnessMerkleRoot)))
        block.transactions[0] = coinbase
        block.header.merkleRoot = block.computedMerkleRoot
        block.header = try #require(ProofOfWork.solve(block.header))

        let answer = try BitcoinOracle.ask(["blocks": [Hex.encode(block.serialized())]])
        let described = try #require((answer["blocks"] as? [[String: Any]])?.first)
        #expect(described["hash"] as? String == block.hash.hex)
        #expect(described["merkle_root"] as? String == block.header.merkleRoot.hex)
        #expect(described["header_merkle_root"] as? String == block.header.merkleRoot.hex)
        #expect(described["prev"] as? String == ChainParams.regtest.genesis.hash.hex)
        #expect(described["txids"] as? [String] == block.transactions.map(\.txid.hex))
        #expect(described["witness_commitment_ok"] as? Bool == true)
        #expect(described["coinbase_script_sig"] as? String == "022c010000")
    }
}
