// BIP32 hierarchical deterministic keys: the master key from a seed, private child derivation
// (hardened and normal), and the xprv/xpub forms BIP32's test vectors are written in.

import CSecp256k1
import Consensus

/// One context for BIP32's tweak: libsecp256k1 contexts are safe to share for key arithmetic.
private nonisolated(unsafe) let context: OpaquePointer = {
    guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
        fatalError("libsecp256k1 could not make a context")
    }
    return ctx
}()

/// A BIP32 extended private key: a private key, its chain code and where it sits in the tree.
public struct ExtendedKey: Sendable, Equatable {
    /// Child indexes at or above this are hardened (written `i'`).
    public static let hardened: UInt32 = 0x8000_0000

    public let privateKey: PrivateKey
    public let chainCode: [UInt8]
    public let depth: UInt8
    public let parentFingerprint: [UInt8]
    public let childNumber: UInt32

    /// The master key of `seed` (BIP32 allows 16 to 64 bytes).
    public init(seed: [UInt8]) throws(WalletError) {
        guard (16...64).contains(seed.count) else { throw .badSeed("a BIP32 seed is 16 to 64 bytes, not \(seed.count)") }
        let i = Hashes.hmacSHA512(key: Array("Bitcoin seed".utf8), message: seed)
        guard let key = try? PrivateKey(Array(i[0..<32])) else { throw .badSeed("this seed gives an invalid master key; use another") }
        self.init(privateKey: key, chainCode: Array(i[32...]), depth: 0, parentFingerprint: [0, 0, 0, 0], childNumber: 0)
    }

    private init(privateKey: PrivateKey, chainCode: [UInt8], depth: UInt8, parentFingerprint: [UInt8], childNumber: UInt32) {
        self.privateKey = privateKey
        self.chainCode = chainCode
        self.depth = depth
        self.parentFingerprint = parentFingerprint
        self.childNumber = childNumber
    }

    /// The first four bytes of HASH160 of the public key: how a child names its parent.
    public var fingerprint: [UInt8] { Array(privateKey.publicKey.hash160.prefix(4)) }

    /// CKDpriv: the child at `index` (hardened when `index >= hardened`). BIP32's rare invalid
    /// child (probability below 2^-127) is reported rather than skipped: the caller moves to the next index.
    public func child(_ index: UInt32) throws(WalletError) -> ExtendedKey {
        let data: [UInt8] = index >= Self.hardened ? [0] + privateKey.bytes : privateKey.publicKey.compressed
        let i = Hashes.hmacSHA512(key: chainCode, message: data + withUnsafeBytes(of: index.bigEndian, Array.init))
        var key = privateKey.bytes
        guard secp256k1_ec_seckey_verify(context, Array(i[0..<32])) == 1,
              secp256k1_ec_seckey_tweak_add(context, &key, Array(i[0..<32])) == 1,
              let child = try? PrivateKey(key) else {
            throw .invalidChild(index)
        }
        return ExtendedKey(privateKey: child, chainCode: Array(i[32...]), depth: depth &+ 1, parentFingerprint: fingerprint,
                           childNumber: index)
    }

    /// The key at `path`, e.g. "m/84'/1'/0'/0/5" (from this key as "m").
    public func derive(_ path: String) throws(WalletError) -> ExtendedKey {
        var parts = path.split(separator: "/")
        guard parts.first == "m" else { throw .badPath(path) }
        parts.removeFirst()
        var key = self
        for part in parts {
            let hardened = part.hasSuffix("'") || part.hasSuffix("h")
            guard let n = UInt32(hardened ? part.dropLast() : part), n < Self.hardened else { throw .badPath(path) }
            key = try key.child(hardened ? n + Self.hardened : n)
        }
        return key
    }

    /// BIP32's serialization, mainnet versions (what its test vectors print): "xprv…".
    public var xprv: String { serialize(version: [0x04, 0x88, 0xAD, 0xE4], key: [0] + privateKey.bytes) }

    /// The matching extended public key: "xpub…".
    public var xpub: String { serialize(version: [0x04, 0x88, 0xB2, 0x1E], key: privateKey.publicKey.compressed) }

    private func serialize(version: [UInt8], key: [UInt8]) -> String {
        Base58.checkEncode(version + [depth] + parentFingerprint + withUnsafeBytes(of: childNumber.bigEndian, Array.init)
                           + chainCode + key)
    }
}
