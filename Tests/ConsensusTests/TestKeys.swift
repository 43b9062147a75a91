// Deterministic keys and funding for the Consensus tests.

import Consensus

enum TestKeys {
    /// The private key whose 32 bytes are all `seed` (valid for 1...0xfe).
    static func key(_ seed: UInt8) -> PrivateKey { try! PrivateKey([UInt8](repeating: seed, count: 32)) }

    static func p2wpkh(_ key: PrivateKey) -> [UInt8] { Script.p2wpkh(keyHash: key.publicKey.hash160) }

    /// A transaction spending `spent` (outputs of `key`, at outpoints made up from `seed`) to `outputs`, signed.
    static func spend(_ spent: [TxOut], key: PrivateKey, to outputs: [TxOut], seed: UInt8 = 7) -> Transaction {
        let inputs = spent.indices.map { i in
            TxIn(previousOutput: OutPoint(txid: Hash256.of([seed, UInt8(i)]), index: UInt32(i)), sequence: 0xffff_fffd)
        }
        var tx = Transaction(inputs: inputs, outputs: outputs)
        for i in spent.indices { Signer.signP2WPKH(&tx, inputIndex: i, key: key, spent: spent[i]) }
        return tx
    }
}
