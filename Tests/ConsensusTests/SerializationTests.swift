// Transactions round-trip in both forms, and hostile bytes give a SerializationError, never a
// crash or an allocation beyond the input.

import Consensus
import Testing

@Suite struct SerializationTests {
    @Test func segwitAndLegacyFormsRoundTripWithTheirIds() throws {
        let key = TestKeys.key(3)
        let spent = [TxOut(value: 10 * Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))]
        let tx = TestKeys.spend(spent, key: key, to: [TxOut(value: 9 * Amount.coin, scriptPubKey: TestKeys.p2wpkh(TestKeys.key(4)))])
        let full = tx.serialized()
        #expect(full[4] == 0 && full[5] == 1)  // marker and flag
        #expect(try Transaction(bytes: full) == tx)
        let stripped = tx.serialized(includingWitness: false)
        #expect(stripped.count < full.count)
        #expect(tx.txid == Hash256.of(stripped))
        #expect(tx.wtxid == Hash256.of(full))
        #expect(tx.txid != tx.wtxid)
        #expect(tx.weight == stripped.count * 3 + full.count)
        #expect(tx.vsize == (tx.weight + 3) / 4)
    }

    @Test func everyTruncationOfATransactionIsATypedError() throws {
        let key = TestKeys.key(5)
        let spent = [TxOut(value: Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))]
        let bytes = TestKeys.spend(spent, key: key, to: [TxOut(value: 1000, scriptPubKey: Script.nullData([1, 2, 3]))]).serialized()
        for length in 0..<bytes.count {
            #expect(throws: SerializationError.self) { try Transaction(bytes: Array(bytes.prefix(length))) }
        }
        #expect(throws: SerializationError.self) { try Transaction(bytes: bytes + [0]) }
    }

    @Test func hugeCountsAreRefusedBeforeAllocating() {
        // version, then an input count of 2^64−1: must fail on the bytes left, not try to reserve.
        let bytes: [UInt8] = [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        #expect(throws: SerializationError.truncated(what: "transaction",
                                                     detail: "input count claims 18446744073709551615 items, only 0 bytes left")) {
            try Transaction(bytes: bytes)
        }
        var block = ChainParams.regtest.genesis.header.serialized
        block += [0xfe, 0xff, 0xff, 0xff, 0x7f]
        #expect(throws: SerializationError.self) { try Block(bytes: block) }
        // A script length past the end.
        let script: [UInt8] = [1, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 36) + [0xfd, 0xff, 0xff]
        #expect(throws: SerializationError.self) { try Transaction(bytes: script) }
    }

    @Test func nonCanonicalCompactSizeIsMalformed() {
        var r = ByteReader([0xfd, 0x10, 0x00], what: "test")
        #expect(throws: SerializationError.malformed(what: "test", detail: "non-canonical CompactSize for n")) {
            try r.readCompactSize("n")
        }
    }
}
