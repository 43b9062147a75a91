// secp256k1 keys and ECDSA through Debian's libsecp256k1: RFC6979 signing, strict-DER parsing
// (BIP66's rules), low-S as Bitcoin's standardness demands, and verification.

import CSecp256k1

/// One context for the process: libsecp256k1 contexts are safe to share across threads for
/// signing and verifying once made (only randomizing or destroying one is not).
private nonisolated(unsafe) let context: OpaquePointer = {
    guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
        fatalError("libsecp256k1 could not make a context")
    }
    return ctx
}()

public struct KeyError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A private key: 32 bytes, a nonzero number below the curve order.
public struct PrivateKey: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 32, secp256k1_ec_seckey_verify(context, bytes) == 1 else {
            throw KeyError("a private key is 32 bytes, nonzero and below the secp256k1 order")
        }
        self.bytes = bytes
    }

    /// The compressed public key.
    public var publicKey: PublicKey {
        var key = secp256k1_pubkey()
        precondition(secp256k1_ec_pubkey_create(context, &key, bytes) == 1, "a verified private key has a public key")
        var out = [UInt8](repeating: 0, count: 33)
        var length = 33
        secp256k1_ec_pubkey_serialize(context, &out, &length, &key, UInt32(SECP256K1_EC_COMPRESSED))
        return PublicKey(compressed: out)
    }

    /// An ECDSA signature of the 32-byte `digest`, deterministic (RFC6979, libsecp256k1's default
    /// nonce), low-S, DER-encoded (no hash type byte).
    public func sign(digest: [UInt8]) -> [UInt8] {
        precondition(digest.count == 32, "ECDSA signs a 32-byte digest")
        var signature = secp256k1_ecdsa_signature()
        precondition(secp256k1_ecdsa_sign(context, &signature, digest, bytes, nil, nil) == 1, "signing with a verified key")
        var der = [UInt8](repeating: 0, count: 72)
        var length = 72
        secp256k1_ecdsa_signature_serialize_der(context, &der, &length, &signature)
        return Array(der.prefix(length))
    }
}

/// A compressed secp256k1 public key (33 bytes, 0x02/0x03 prefix): the only kind segwit
/// standardness allows.
public struct PublicKey: Sendable, Hashable {
    public let compressed: [UInt8]

    init(compressed: [UInt8]) { self.compressed = compressed }

    /// Parses a 33-byte compressed key that lies on the curve.
    public init(_ bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 33, bytes[0] == 2 || bytes[0] == 3 else {
            throw KeyError("not a compressed public key (33 bytes starting 02 or 03)")
        }
        var key = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(context, &key, bytes, 33) == 1 else { throw KeyError("public key is not on secp256k1") }
        compressed = bytes
    }

    /// HASH160 of the key: what a P2WPKH output commits to.
    public var hash160: [UInt8] { Hashes.hash160(compressed) }

    /// Checks a DER signature (no hash type byte) over `digest`: strict DER, low S, then ECDSA.
    public func verify(derSignature: [UInt8], digest: [UInt8]) throws(KeyError) {
        guard digest.count == 32 else { throw KeyError("the digest is not 32 bytes") }
        guard Signature.isStrictDER(derSignature) else { throw KeyError("signature is not strict DER (BIP66)") }
        var signature = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_der(context, &signature, derSignature, derSignature.count) == 1 else {
            throw KeyError("signature is not a DER-encoded ECDSA signature")
        }
        var normalized = secp256k1_ecdsa_signature()
        if secp256k1_ecdsa_signature_normalize(context, &normalized, &signature) == 1 {
            throw KeyError("signature S value is not low (non-canonical)")
        }
        var key = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(context, &key, compressed, compressed.count) == 1 else {
            throw KeyError("public key is not on secp256k1")
        }
        guard secp256k1_ecdsa_verify(context, &signature, digest, &key) == 1 else {
            throw KeyError("signature does not verify against the public key")
        }
    }
}

public enum Signature {
    /// BIP66's strict DER rules: 0x30 len 0x02 rlen R 0x02 slen S, minimal positive integers,
    /// nothing after (the hash type byte is not part of `der`).
    public static func isStrictDER(_ der: [UInt8]) -> Bool {
        let n = der.count
        guard n >= 8, n <= 72, der[0] == 0x30, Int(der[1]) == n - 2, der[2] == 0x02 else { return false }
        let rLength = Int(der[3])
        guard rLength > 0, 5 + rLength < n, der[4 + rLength] == 0x02 else { return false }
        let sLength = Int(der[5 + rLength])
        guard sLength > 0, 6 + rLength + sLength == n else { return false }
        func minimalPositive(_ start: Int, _ length: Int) -> Bool {
            if der[start] & 0x80 != 0 { return false }
            if length > 1, der[start] == 0, der[start + 1] & 0x80 == 0 { return false }
            return true
        }
        return minimalPositive(4, rLength) && minimalPositive(6 + rLength, sLength)
    }
}
