// Base58Check (Bitcoin's alphabet, a 4-byte double-SHA-256 checksum): how BIP32 writes extended keys.

import Consensus

enum Base58 {
    private static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")

    /// `payload` with its checksum appended, in base 58; each leading zero byte becomes a "1".
    static func checkEncode(_ payload: [UInt8]) -> String {
        let bytes = payload + Hashes.sha256d(payload).prefix(4)
        var digits: [Int] = []  // base-58 digits, least significant first
        for byte in bytes {
            var carry = Int(byte)
            for i in digits.indices {
                carry += digits[i] << 8
                digits[i] = carry % 58
                carry /= 58
            }
            while carry > 0 { digits.append(carry % 58); carry /= 58 }
        }
        let zeros = bytes.prefix { $0 == 0 }.count
        return String(repeating: "1", count: zeros) + String(digits.reversed().map { alphabet[$0] })
    }
}
