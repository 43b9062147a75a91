// Regtest's parameters: its genesis block (built here from Bitcoin's published fields, its hash
// computed), proof-of-work limit, subsidy schedule and coinbase maturity.

public struct ChainParams: Sendable {
    public let name: String
    /// The bech32 human-readable part of addresses.
    public let bech32HRP: String
    /// Every block's `bits` (regtest never retargets).
    public let powBits: UInt32
    public let initialSubsidy: Int64
    public let halvingInterval: Int
    /// Blocks a coinbase output must wait before it can be spent.
    public let coinbaseMaturity: Int
    public let genesis: Block

    /// The subsidy of a block at `height`: halved every `halvingInterval` blocks, zero after 64 halvings.
    public func subsidy(height: Int) -> Int64 {
        let halvings = height / halvingInterval
        return halvings >= 64 ? 0 : initialSubsidy >> Int64(halvings)
    }

    public static let regtest: ChainParams = {
        let bits: UInt32 = 0x207f_ffff
        return ChainParams(name: "regtest", bech32HRP: "bcrt", powBits: bits, initialSubsidy: 50 * Amount.coin,
                           halvingInterval: 150, coinbaseMaturity: 100,
                           genesis: genesisBlock(time: 1_296_688_602, nonce: 2, bits: bits, version: 1, reward: 50 * Amount.coin))
    }()

    /// Bitcoin's genesis block: one coinbase whose scriptSig is 486604799, 4 and the Times
    /// headline, paying `reward` to Satoshi's public key. Regtest uses it with its own time, nonce
    /// and bits.
    static func genesisBlock(time: UInt32, nonce: UInt32, bits: UInt32, version: Int32, reward: Int64) -> Block {
        let headline = "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks"
        let scriptSig = Script.push([0xff, 0xff, 0x00, 0x1d]) + Script.push([4]) + Script.push(Array(headline.utf8))
        let satoshiKey = Hex.decode("04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f")!
        let coinbase = Transaction(version: 1, inputs: [TxIn(previousOutput: .null, scriptSig: scriptSig)],
                                   outputs: [TxOut(value: reward, scriptPubKey: Script.push(satoshiKey) + [0xac])])
        let header = BlockHeader(version: version, previousBlockHash: .zero, merkleRoot: Merkle.root([coinbase.txid]),
                                 time: time, bits: bits, nonce: nonce)
        return Block(header: header, transactions: [coinbase])
    }
}
