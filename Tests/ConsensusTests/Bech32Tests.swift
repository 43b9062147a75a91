// BIP173's test vectors: valid checksums, valid segwit addresses with their scripts, and the
// invalid addresses each refused.

import Consensus
import Testing

@Suite struct Bech32Tests {
    @Test(arguments: [
        "A12UEL5L", "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "?1ezyfcl",
    ])
    func validChecksumsDecodeAndReencode(_ text: String) throws {
        let (hrp, data) = try Bech32.decode(text)
        #expect(Bech32.encode(hrp: hrp, data: data) == text.lowercased())
    }

    @Test(arguments: [
        "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",  // too long
        "pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8", "10a06t8", "1qzzfhee",
        " 1nwldj5", "\u{7f}1axkwrx",
    ])
    func invalidChecksumsAreRefused(_ text: String) {
        #expect(throws: AddressError.self) { try Bech32.decode(text) }
    }

    @Test(arguments: [
        ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
        ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
         "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"),
        ("tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
         "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"),
    ])
    func validVersionZeroAddressesGiveTheirScripts(_ text: String, _ script: String) throws {
        let address = try SegwitAddress(text)
        #expect(Hex.encode(address.scriptPubKey) == script)
        #expect(address.description == text.lowercased())
    }

    @Test(arguments: [
        "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",  // hrp of no network
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  // bad checksum
        "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",  // invalid witness version
        "bc1rw5uspcuh",  // invalid program length
        "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",  // program too long
        "BC1QR508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",  // version 0 program of 16 bytes
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",  // mixed case
        "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",  // zero padding of more than 4 bits
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",  // non-zero padding
        "bc1gmk9yu",  // empty data section
    ])
    func invalidAddressesAreRefused(_ text: String) {
        // BIP173 reads these as mainnet or testnet addresses: the hrp must be that network's.
        let network = text.lowercased().hasPrefix("bc") ? "bc" : "tb"
        #expect(throws: AddressError.self) { try SegwitAddress(text, expectedHRP: network) }
    }

    @Test func regtestP2WPKHAddressesRoundTripAndCheckTheNetwork() throws {
        let keyHash = TestKeys.key(1).publicKey.hash160
        let address = SegwitAddress(hrp: "bcrt", p2wpkhKeyHash: keyHash)
        #expect(address.description.hasPrefix("bcrt1q"))
        let parsed = try SegwitAddress(address.description, expectedHRP: ChainParams.regtest.bech32HRP)
        #expect(parsed.scriptPubKey == Script.p2wpkh(keyHash: keyHash))
        #expect(throws: AddressError("address is for network 'bc', expected 'bcrt'")) {
            try SegwitAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", expectedHRP: "bcrt")
        }
    }
}
