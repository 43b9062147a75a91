// The hash functions Bitcoin's formats use, from OpenSSL's libcrypto (not written here): SHA-256,
// double SHA-256, RIPEMD-160, HASH160 and HMAC-SHA512.

import CLibcrypto

public enum Hashes {
    /// SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { digest(bytes, EVP_sha256(), 32) }

    /// SHA-256 of SHA-256: Bitcoin's txid, wtxid, block hash and merkle node hash.
    public static func sha256d(_ bytes: [UInt8]) -> [UInt8] { sha256(sha256(bytes)) }

    /// RIPEMD-160 of `bytes`.
    public static func ripemd160(_ bytes: [UInt8]) -> [UInt8] { digest(bytes, EVP_ripemd160(), 20) }

    /// RIPEMD-160 of SHA-256: the key hash in a P2WPKH output.
    public static func hash160(_ bytes: [UInt8]) -> [UInt8] { ripemd160(sha256(bytes)) }

    /// HMAC-SHA512 of `message` under `key` (BIP32's derivation function, for the wallet).
    public static func hmacSHA512(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        let ok = key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    HMAC(EVP_sha512(), k.baseAddress, Int32(k.count), m.baseAddress, m.count, o.baseAddress, &length)
                }
            }
        }
        precondition(ok != nil && length == 64, "libcrypto's HMAC-SHA512 failed")
        return out
    }

    private static func digest(_ bytes: [UInt8], _ type: OpaquePointer?, _ size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { o in
                EVP_Digest(input.baseAddress, input.count, o.baseAddress, &length, type, nil)
            }
        }
        // Only a missing algorithm (a broken OpenSSL install) fails here; no input can.
        precondition(ok == 1 && Int(length) == size, "libcrypto's digest failed: is OpenSSL's default provider installed?")
        return out
    }
}
