// The libcrypto-backed hashes against published answers: SHA-256 and RIPEMD-160 of "abc"
// (FIPS 180-2, the RIPEMD-160 paper) and HMAC-SHA512 test case 2 of RFC 4231.

import Consensus
import Testing

@Suite struct HashesTests {
    @Test func publishedAnswers() {
        let abc = Array("abc".utf8)
        #expect(Hex.encode(Hashes.sha256(abc)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(Hashes.ripemd160(abc)) == "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
        #expect(Hex.encode(Hashes.hmacSHA512(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
        #expect(Hashes.hash160(abc) == Hashes.ripemd160(Hashes.sha256(abc)))
    }

    @Test func hashesShowInReversedOrder() {
        let hash = Hash256.of([])
        #expect(hash.hex == Hex.encode(hash.bytes.reversed()))
        #expect(Hash256(displayHex: hash.hex) == hash)
        #expect(Hash256(displayHex: "zz") == nil)
    }
}
