// The checks of one transaction that need no chain: well-formed, amounts in range, no duplicate
// inputs, standard outputs; and the full check of its P2WPKH spends given the outputs it spends.

public enum TransactionChecks {
    /// Context-free checks of a non-coinbase transaction (or, with `coinbase`, of a coinbase).
    public static func checkAlone(_ tx: Transaction, coinbase: Bool = false) throws(ValidationError) {
        let id = tx.txid.hex
        guard !tx.inputs.isEmpty else { throw ValidationError(.noInputs, "transaction \(id) has no inputs") }
        guard !tx.outputs.isEmpty else { throw ValidationError(.noOutputs, "transaction \(id) has no outputs") }
        var total: Int64 = 0
        for (i, output) in tx.outputs.enumerated() {
            guard Amount.isInRange(output.value) else {
                throw ValidationError(.amountOutOfRange, "output \(i) of \(id) has value \(output.value), outside 0...\(Amount.maxMoney)")
            }
            total += output.value
            guard Amount.isInRange(total) else {
                throw ValidationError(.amountOutOfRange, "outputs of \(id) total more than \(Amount.maxMoney)")
            }
            if case .nonStandard = Script.classify(output.scriptPubKey) {
                throw ValidationError(.nonStandardOutput,
                                      "non-standard output script in output \(i) of \(id): only P2WPKH (0014{20 bytes}) and OP_RETURN data are accepted")
            }
        }
        if coinbase {
            guard tx.isCoinbase else { throw ValidationError(.badCoinbase, "the first transaction \(id) is not a coinbase") }
            guard (2...100).contains(tx.inputs[0].scriptSig.count) else {
                throw ValidationError(.badCoinbase, "coinbase scriptSig of \(id) is not 2 to 100 bytes")
            }
            return
        }
        var seen = Set<OutPoint>()
        for input in tx.inputs {
            guard !input.previousOutput.isNull else {
                throw ValidationError(.unexpectedCoinbase, "transaction \(id) spends the null outpoint outside a coinbase")
            }
            guard seen.insert(input.previousOutput).inserted else {
                throw ValidationError(.duplicateInputs, "transaction \(id) spends \(input.previousOutput) twice")
            }
        }
    }

    /// Verifies every input of `tx` as a P2WPKH spend of `spent[i]` (the outputs it spends, in input
    /// order): empty scriptSig, witness [signature+hashtype, compressed pubkey], HASH160 match,
    /// BIP143 digest, strict-DER low-S ECDSA. Returns the fee (inputs − outputs).
    @discardableResult
    public static func verifySpends(_ tx: Transaction, spent: [TxOut]) throws(ValidationError) -> Int64 {
        precondition(spent.count == tx.inputs.count, "one spent output per input")
        let id = tx.txid.hex
        var inputTotal: Int64 = 0
        for (i, coin) in spent.enumerated() {
            guard Amount.isInRange(coin.value) else { throw ValidationError(.amountOutOfRange, "input \(i) of \(id) spends an out-of-range value") }
            inputTotal += coin.value
            guard Amount.isInRange(inputTotal) else { throw ValidationError(.amountOutOfRange, "inputs of \(id) total more than \(Amount.maxMoney)") }
        }
        let outputTotal = tx.outputs.reduce(Int64(0)) { $0 + $1.value }
        guard inputTotal >= outputTotal else {
            throw ValidationError(.overspend, "transaction \(id) spends \(outputTotal) but its inputs hold only \(inputTotal)")
        }
        for (i, coin) in spent.enumerated() {
            try verifyInput(tx, index: i, spent: coin)
        }
        return inputTotal - outputTotal
    }

    static func verifyInput(_ tx: Transaction, index i: Int, spent coin: TxOut) throws(ValidationError) {
        let id = tx.txid.hex
        let input = tx.inputs[i]
        guard case .p2wpkh(let keyHash) = Script.classify(coin.scriptPubKey) else {
            throw ValidationError(.nonStandardInput, "input \(i) of \(id) spends a non-P2WPKH output: only P2WPKH spends are accepted")
        }
        guard input.scriptSig.isEmpty else {
            throw ValidationError(.badSignature, "input \(i) of \(id): a P2WPKH spend must have an empty scriptSig")
        }
        guard input.witness.count == 2 else {
            throw ValidationError(.badSignature, "input \(i) of \(id): a P2WPKH witness is [signature, pubkey], found \(input.witness.count) items")
        }
        let signature = input.witness[0]
        guard let typeByte = signature.last else {
            throw ValidationError(.badSignature, "bad signature in input \(i) of \(id): empty signature")
        }
        let type = SighashType(rawValue: UInt32(typeByte))
        guard type.isDefined else {
            throw ValidationError(.badSignature, "bad signature in input \(i) of \(id): undefined hash type \(typeByte)")
        }
        let key: PublicKey
        do { key = try PublicKey(input.witness[1]) } catch {
            throw ValidationError(.badSignature, "input \(i) of \(id): \(error.description)")
        }
        guard key.hash160 == keyHash else {
            throw ValidationError(.badSignature, "input \(i) of \(id): the public key's HASH160 is not the output's key hash")
        }
        let digest = SignatureHash.segwitV0(tx, inputIndex: i, scriptCode: Script.p2wpkhScriptCode(keyHash: keyHash),
                                            amount: coin.value, type: type)
        do { try key.verify(derSignature: Array(signature.dropLast()), digest: digest) } catch {
            throw ValidationError(.badSignature, "bad signature in input \(i) of \(id): \(error.description)")
        }
    }
}
