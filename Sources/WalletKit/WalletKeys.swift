// A wallet's keys: BIP84's account m/84'/1'/0' (coin type 1: test networks) of its seed, with the
// receive branch …/0/i and the change branch …/1/i, each key a P2WPKH output and a bech32 address.

import Consensus

public struct WalletKeys: Sendable {
    private let receive: ExtendedKey
    private let change: ExtendedKey
    public let hrp: String

    public init(seed: [UInt8], hrp: String) throws(WalletError) {
        let account = try ExtendedKey(seed: seed).derive("m/84'/1'/0'")
        receive = try account.child(0)
        change = try account.child(1)
        self.hrp = hrp
    }

    /// The private key at …/0/index (receive) or …/1/index (change).
    public func privateKey(change isChange: Bool, index: UInt32) throws(WalletError) -> PrivateKey {
        try (isChange ? change : receive).child(index).privateKey
    }

    /// The P2WPKH output script of that key.
    public func scriptPubKey(change isChange: Bool, index: UInt32) throws(WalletError) -> [UInt8] {
        Script.p2wpkh(keyHash: try privateKey(change: isChange, index: index).publicKey.hash160)
    }

    /// The bech32 address of that key.
    public func address(change isChange: Bool, index: UInt32) throws(WalletError) -> String {
        SegwitAddress(hrp: hrp, p2wpkhKeyHash: try privateKey(change: isChange, index: index).publicKey.hash160).description
    }
}
