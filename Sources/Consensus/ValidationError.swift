// Why a transaction or block was refused: Bitcoin Core's reject code for the rule broken, and a
// sentence a person can act on.

public struct ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The rule broken; the raw value is Bitcoin Core's reject reason for it.
    public enum Rule: String, Sendable {
        // Transactions, alone.
        case malformed = "bad-txns-malformed"
        case noInputs = "bad-txns-vin-empty"
        case noOutputs = "bad-txns-vout-empty"
        case amountOutOfRange = "bad-txns-vout-toolarge"
        case duplicateInputs = "bad-txns-inputs-duplicate"
        case nonStandardOutput = "scriptpubkey"
        case nonStandardInput = "bad-txns-nonstandard-inputs"
        case unexpectedCoinbase = "coinbase"
        // Transactions against the chain and mempool.
        case missingOrSpent = "bad-txns-inputs-missingorspent"
        case mempoolConflict = "txn-mempool-conflict"
        case alreadyKnown = "txn-already-known"
        case prematureCoinbaseSpend = "bad-txns-premature-spend-of-coinbase"
        case overspend = "bad-txns-in-belowout"
        case badSignature = "mandatory-script-verify-flag-failed"
        case minRelayFeeNotMet = "min relay fee not met"
        case maxFeeExceeded = "max-fee-exceeded"
        // Blocks.
        case highHash = "high-hash"
        case badBits = "bad-diffbits"
        case badMerkleRoot = "bad-txnmrklroot"
        case badCoinbase = "bad-cb-missing"
        case badCoinbaseHeight = "bad-cb-height"
        case badCoinbaseAmount = "bad-cb-amount"
        case badWitnessNonce = "bad-witness-nonce-size"
        case badWitnessCommitment = "bad-witness-merkle-match"
        case unexpectedWitness = "unexpected-witness"
        case timeTooOld = "time-too-old"
        case unknownParent = "prev-blk-not-found"
        case invalidParent = "bad-prevblk"
        case duplicateTransaction = "bad-txns-duplicate"
        case duplicateBlock = "duplicate"
    }

    public let rule: Rule
    /// What exactly was wrong, naming the transaction, input or output.
    public let detail: String

    public init(_ rule: Rule, _ detail: String) {
        self.rule = rule
        self.detail = detail
    }

    public var description: String { "\(detail) (\(rule.rawValue))" }
}
