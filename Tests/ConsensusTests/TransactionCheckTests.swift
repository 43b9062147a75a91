// Transactions refused with their reasons: bad signature, overspend, non-standard output, and a
// spend of a non-P2WPKH output; a valid spend passes and reports its fee.

import Consensus
import Testing

@Suite struct TransactionCheckTests {
    let key = TestKeys.key(9)
    var spent: [TxOut] { [TxOut(value: 5 * Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))] }

    @Test func aSignedP2WPKHSpendVerifiesAndReportsItsFee() throws {
        let tx = TestKeys.spend(spent, key: key, to: [TxOut(value: 4 * Amount.coin, scriptPubKey: TestKeys.p2wpkh(TestKeys.key(2)))])
        try TransactionChecks.checkAlone(tx)
        #expect(try TransactionChecks.verifySpends(tx, spent: spent) == Amount.coin)
    }

    @Test func aSignatureByAnotherKeyIsABadSignature() throws {
        var tx = TestKeys.spend(spent, key: key, to: [TxOut(value: Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))])
        // The right public key, a signature made by a different key.
        Signer.signP2WPKH(&tx, inputIndex: 0, key: TestKeys.key(10), spent: spent[0])
        tx.inputs[0].witness[1] = key.publicKey.compressed
        let error = #expect(throws: ValidationError.self) { try TransactionChecks.verifySpends(tx, spent: spent) }
        #expect(error?.rule == .badSignature)
        #expect(error?.detail.contains("bad signature") == true)
    }

    @Test func changingAnOutputAfterSigningBreaksTheSignature() {
        var tx = TestKeys.spend(spent, key: key, to: [TxOut(value: Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))])
        tx.outputs[0].value += 1
        #expect(throws: ValidationError.self) { try TransactionChecks.verifySpends(tx, spent: spent) }
    }

    @Test func outputsAboveInputsAreAnOverspend() {
        let tx = TestKeys.spend(spent, key: key, to: [TxOut(value: 6 * Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))])
        let error = #expect(throws: ValidationError.self) { try TransactionChecks.verifySpends(tx, spent: spent) }
        #expect(error?.rule == .overspend)
    }

    @Test func aP2PKHOutputIsNonStandard() {
        let p2pkh = Script.p2wpkhScriptCode(keyHash: key.publicKey.hash160)
        let tx = TestKeys.spend(spent, key: key, to: [TxOut(value: Amount.coin, scriptPubKey: p2pkh)])
        let error = #expect(throws: ValidationError.self) { try TransactionChecks.checkAlone(tx) }
        #expect(error?.rule == .nonStandardOutput)
        #expect(error?.detail.hasPrefix("non-standard output script") == true)
    }

    @Test func amountsOutOfRangeAreRefused() {
        let tx = TestKeys.spend(spent, key: key, to: [TxOut(value: Amount.maxMoney + 1, scriptPubKey: TestKeys.p2wpkh(key))])
        let error = #expect(throws: ValidationError.self) { try TransactionChecks.checkAlone(tx) }
        #expect(error?.rule == .amountOutOfRange)
        let negative = TestKeys.spend(spent, key: key, to: [TxOut(value: -1, scriptPubKey: TestKeys.p2wpkh(key))])
        #expect(throws: ValidationError.self) { try TransactionChecks.checkAlone(negative) }
    }

    @Test func spendingANonP2WPKHOutputIsNonStandard() {
        let opReturn = [TxOut(value: Amount.coin, scriptPubKey: Script.nullData([1]))]
        let tx = TestKeys.spend(spent, key: key, to: [TxOut(value: 1, scriptPubKey: TestKeys.p2wpkh(key))])
        let error = #expect(throws: ValidationError.self) { try TransactionChecks.verifySpends(tx, spent: opReturn) }
        #expect(error?.rule == .nonStandardInput)
    }

    @Test func otherHashTypesOfBIP143VerifyToo() throws {
        var tx = TestKeys.spend(spent, key: key, to: [TxOut(value: Amount.coin, scriptPubKey: TestKeys.p2wpkh(key)),
                                                      TxOut(value: Amount.coin, scriptPubKey: Script.nullData([9]))])
        for type in [SighashType.none, .single, SighashType(rawValue: 0x81), SighashType(rawValue: 0x83)] {
            Signer.signP2WPKH(&tx, inputIndex: 0, key: key, spent: spent[0], type: type)
            try TransactionChecks.verifySpends(tx, spent: spent)
        }
    }
}
