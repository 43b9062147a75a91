// BIP173's bech32 encoding and segwit addresses (`bcrt1q…` for regtest P2WPKH).

public struct AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public enum Bech32 {
    private static let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
    private static let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        var chk: UInt32 = 1
        for v in values {
            let top = chk >> 25
            chk = (chk & 0x1ff_ffff) << 5 ^ UInt32(v)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { chk ^= generator[i] }
        }
        return chk
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] { hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 } }

    /// Encodes 5-bit `data` under `hrp` (lower case) with a bech32 checksum.
    public static func encode(hrp: String, data: [UInt8]) -> String {
        let h = Array(hrp.lowercased().utf8)
        let mod = polymod(expand(h) + data + [0, 0, 0, 0, 0, 0]) ^ 1
        let checksum = (0..<6).map { UInt8((mod >> (5 * (5 - UInt32($0)))) & 31) }
        return String(decoding: h + [UInt8(ascii: "1")] + (data + checksum).map { charset[Int($0)] }, as: UTF8.self)
    }

    /// Decodes a bech32 string to its hrp (lower case) and 5-bit data, checksum removed.
    public static func decode(_ text: String) throws(AddressError) -> (hrp: String, data: [UInt8]) {
        let bytes = Array(text.utf8)
        guard bytes.count <= 90 else { throw AddressError("bech32 string longer than 90 characters") }
        guard bytes.allSatisfy({ (33...126).contains($0) }) else { throw AddressError("bech32 string has a character outside 33–126") }
        let hasLower = bytes.contains { (97...122).contains($0) }
        let hasUpper = bytes.contains { (65...90).contains($0) }
        guard !(hasLower && hasUpper) else { throw AddressError("bech32 string mixes upper and lower case") }
        let lower = bytes.map { (65...90).contains($0) ? $0 + 32 : $0 }
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")) else { throw AddressError("bech32 string has no separator '1'") }
        guard separator >= 1 else { throw AddressError("bech32 string has an empty human-readable part") }
        guard lower.count - separator - 1 >= 6 else { throw AddressError("bech32 checksum is shorter than 6 characters") }
        let hrp = Array(lower[..<separator])
        var data: [UInt8] = []
        for c in lower[(separator + 1)...] {
            guard let v = charset.firstIndex(of: c) else {
                throw AddressError("bech32 data has the character '\(Character(Unicode.Scalar(c)))', not in the bech32 alphabet")
            }
            data.append(UInt8(v))
        }
        guard polymod(expand(hrp) + data) == 1 else { throw AddressError("bech32 checksum does not match") }
        return (String(decoding: hrp, as: UTF8.self), Array(data.dropLast(6)))
    }

    /// Regroups bits (8 → 5 to encode, 5 → 8 to decode); nil when decoding finds bad padding.
    static func convertBits(_ data: [UInt8], from: Int, to: Int, pad: Bool) -> [UInt8]? {
        var acc = 0, bits = 0
        var out: [UInt8] = []
        let maxValue = (1 << to) - 1
        for value in data {
            guard Int(value) >> from == 0 else { return nil }
            acc = acc << from | Int(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((acc >> bits) & maxValue))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((acc << (to - bits)) & maxValue)) }
        } else if bits >= from || (acc << (to - bits)) & maxValue != 0 {
            return nil
        }
        return out
    }
}

/// A segwit address (BIP173): a witness version and program under a network's hrp.
public struct SegwitAddress: Equatable, Sendable, CustomStringConvertible {
    public let hrp: String
    public let version: UInt8
    public let program: [UInt8]

    /// A version-0 P2WPKH address of `keyHash`.
    public init(hrp: String, p2wpkhKeyHash keyHash: [UInt8]) {
        self.hrp = hrp
        self.version = 0
        self.program = keyHash
    }

    /// Decodes `text`, checking the hrp when `expectedHRP` is given. Version 0 programs must be 20
    /// or 32 bytes (BIP141); versions above 0 are bech32m's (BIP350) and refused here.
    public init(_ text: String, expectedHRP: String? = nil) throws(AddressError) {
        let (hrp, data) = try Bech32.decode(text)
        if let expectedHRP, hrp != expectedHRP {
            throw AddressError("address is for network '\(hrp)', expected '\(expectedHRP)'")
        }
        guard let version = data.first else { throw AddressError("address has no witness version") }
        guard version <= 16 else { throw AddressError("invalid witness version \(version)") }
        guard let program = Bech32.convertBits(Array(data.dropFirst()), from: 5, to: 8, pad: false) else {
            throw AddressError("address program has invalid padding")
        }
        guard (2...40).contains(program.count) else { throw AddressError("invalid witness program length \(program.count)") }
        if version == 0 {
            guard program.count == 20 || program.count == 32 else {
                throw AddressError("invalid witness program length \(program.count) for version 0 (20 or 32)")
            }
        } else {
            throw AddressError("witness version \(version) addresses use bech32m (BIP350), not supported here")
        }
        self.hrp = hrp
        self.version = version
        self.program = program
    }

    /// The output script: OP_n then the program push.
    public var scriptPubKey: [UInt8] { [version == 0 ? 0 : 0x50 + version, UInt8(program.count)] + program }

    public var description: String {
        Bech32.encode(hrp: hrp, data: [version] + Bech32.convertBits(program, from: 8, to: 5, pad: true)!)
    }
}
