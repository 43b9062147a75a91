// BIP143's native P2WPKH example: our digest, signature verification and RFC6979 signature match
// the BIP's published values.

import Consensus
import Testing

@Suite struct BIP143Tests {
    static let unsignedTx = "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeffffffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa815988ac11000000"
    static let keyHash = Hex.decode("1d0f172a0ecb48aee1be1f2687d2963ae33f71a1")!
    static let privateKey = "619c335025c7f4012e556c2a58b2506e30b8511b53ade95ea316fd8c3286feb9"
    static let signature = "304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee"

    // Catches any change to the BIP143 preimage (field order, hashPrevouts/Sequence/Outputs, amount).
    @Test func sighashOfTheNativeP2WPKHExampleMatchesBIP143() throws {
        let tx = try Transaction(bytes: Hex.decode(Self.unsignedTx)!)
        let digest = SignatureHash.segwitV0(tx, inputIndex: 1, scriptCode: Script.p2wpkhScriptCode(keyHash: Self.keyHash),
                                            amount: 600_000_000, type: .all)
        #expect(Hex.encode(digest) == "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670")
    }

    @Test func theBIPsSignatureVerifiesAndOursIsTheSameRFC6979Signature() throws {
        let key = try PrivateKey(Hex.decode(Self.privateKey)!)
        #expect(Hex.encode(key.publicKey.compressed) == "025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357")
        #expect(key.publicKey.hash160 == Self.keyHash)
        let digest = Hex.decode("c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670")!
        try key.publicKey.verify(derSignature: Hex.decode(Self.signature)!, digest: digest)
        #expect(Hex.encode(key.sign(digest: digest)) == Self.signature)
        // One flipped digest bit must fail.
        var other = digest
        other[0] ^= 1
        #expect(throws: KeyError.self) { try key.publicKey.verify(derSignature: Hex.decode(Self.signature)!, digest: other) }
    }

    @Test func highSSignaturesAreRefusedAsNonCanonical() throws {
        // n − s of the BIP's low-S signature verifies mathematically but is non-standard.
        let der = Hex.decode(Self.signature)!
        let s = Array(der[(der.count - 32)...])
        let n = Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!
        var highS = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in (0..<32).reversed() {
            let d = Int(n[i]) - Int(s[i]) - borrow
            highS[i] = UInt8((d + 256) % 256)
            borrow = d < 0 ? 1 : 0
        }
        let highDER = [0x30, UInt8(der.count - 2 + 1)] + Array(der[2..<(der.count - 34)]) + [0x02, 33, 0] + highS
        let key = try PrivateKey(Hex.decode(Self.privateKey)!)
        let digest = Hex.decode("c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670")!
        #expect(throws: KeyError("signature S value is not low (non-canonical)")) {
            try key.publicKey.verify(derSignature: highDER, digest: digest)
        }
    }
}
