// Bitcoin's unit and the range an amount must lie in.

public enum Amount {
    /// Units (satoshis) in one coin.
    public static let coin: Int64 = 100_000_000
    /// 21 million coins: no amount, alone or summed, may exceed it.
    public static let maxMoney: Int64 = 21_000_000 * coin

    public static func isInRange(_ value: Int64) -> Bool { value >= 0 && value <= maxMoney }
}
