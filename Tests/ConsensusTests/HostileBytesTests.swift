// Random corruptions of a real block and transaction: parsing gives a value or a SerializationError,
// never a crash; whatever parses re-serializes to the same bytes (except non-minimal forms refused).

import Consensus
import TestSupport
import Testing

@Suite struct HostileBytesTests {
    @Test func mutatedBlocksAndTransactionsParseOrThrowTypedErrors() {
        var random = SeededRandom.forTest()
        let key = TestKeys.key(6)
        let spent = [TxOut(value: 2 * Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))]
        let tx = TestKeys.spend(spent, key: key, to: [TxOut(value: Amount.coin, scriptPubKey: TestKeys.p2wpkh(key))])
        var block = ChainParams.regtest.genesis
        block.transactions.append(tx)
        let seeds = [block.serialized(), tx.serialized()]
        var parsed = 0, refused = 0
        for round in 0..<3000 {
            var bytes = seeds[round % 2]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let i = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[i] = [0x00, 0x01, 0xfd, 0xfe, 0xff][Int.random(in: 0..<5, using: &random)]
                default: bytes.removeSubrange(i...)
                }
                if bytes.isEmpty { break }
            }
            do {
                if round % 2 == 0 {
                    let b = try Block(bytes: bytes)
                    #expect(b.serialized() == bytes, "\(random)")
                } else {
                    let t = try Transaction(bytes: bytes)
                    #expect(t.serialized() == bytes, "\(random)")
                }
                parsed += 1
            } catch {
                refused += 1
            }
        }
        #expect(refused > 0 && parsed + refused == 3000)
    }
}
