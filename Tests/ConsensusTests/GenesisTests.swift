// Regtest's genesis block, built from its published fields: its hash, merkle root and proof of work.

import Consensus
import Testing

@Suite struct GenesisTests {
    @Test func regtestGenesisHashAndMerkleRootAreBitcoinsOwn() throws {
        let genesis = ChainParams.regtest.genesis
        #expect(genesis.hash.hex == "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206")
        #expect(genesis.header.merkleRoot.hex == "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b")
        #expect(genesis.computedMerkleRoot == genesis.header.merkleRoot)
        #expect(genesis.header.hasValidProofOfWork)
        #expect(genesis.header.serialized.count == 80)
        #expect(try Block(bytes: genesis.serialized()) == genesis)
    }

    @Test func regtestTargetAndNonceSearch() throws {
        let target = try #require(ProofOfWork.target(bits: 0x207f_ffff))
        #expect(Hex.encode(target) == "7fffff" + String(repeating: "0", count: 58))
        // A header whose nonce fails the target is fixed by the search, and the result checks.
        var header = ChainParams.regtest.genesis.header
        header.time += 1
        header.nonce = 0
        let solved = try #require(ProofOfWork.solve(header))
        #expect(solved.hasValidProofOfWork)
        #expect(solved.hash.bytes.last! <= 0x7f)
        // A hash above the target is refused (catches a comparison done in the wrong byte order).
        #expect(!ProofOfWork.isAtMost(hash: Hash256([UInt8](repeating: 0, count: 31) + [0x80])!, target: target))
        #expect(ProofOfWork.isAtMost(hash: Hash256([0xff] + [UInt8](repeating: 0, count: 30) + [0x7f])!, target: target))
    }

    @Test func subsidyHalvesEvery150BlocksOnRegtest() {
        let params = ChainParams.regtest
        #expect(params.subsidy(height: 0) == 50 * Amount.coin)
        #expect(params.subsidy(height: 149) == 50 * Amount.coin)
        #expect(params.subsidy(height: 150) == 25 * Amount.coin)
        #expect(params.subsidy(height: 300) == 1_250_000_000)
        #expect(params.subsidy(height: 150 * 64) == 0)
        #expect(params.coinbaseMaturity == 100)
    }

    @Test func merkleRootOfThreePairsTheLastWithItself() {
        let a = Hash256.of([1]), b = Hash256.of([2]), c = Hash256.of([3])
        let ab = Hash256.of(a.bytes + b.bytes), cc = Hash256.of(c.bytes + c.bytes)
        #expect(Merkle.root([a, b, c]) == Hash256.of(ab.bytes + cc.bytes))
        #expect(Merkle.root([a]) == a)
    }

    @Test func bip34HeightPushesAreMinimal() {
        #expect(Script.heightPush(1) == [0x51])
        #expect(Script.heightPush(16) == [0x60])
        #expect(Script.heightPush(17) == [0x01, 0x11])
        #expect(Script.heightPush(128) == [0x02, 0x80, 0x00])
        #expect(Script.heightPush(300) == [0x02, 0x2c, 0x01])
    }
}
