// Signs P2WPKH inputs: the BIP143 digest, an RFC6979 signature, and the witness [sig+type, pubkey].

public enum Signer {
    /// Sets input `index`'s witness to spend `spent` (a P2WPKH output of `key`'s public key).
    public static func signP2WPKH(_ tx: inout Transaction, inputIndex index: Int, key: PrivateKey, spent: TxOut,
                                  type: SighashType = .all) {
        let publicKey = key.publicKey
        let digest = SignatureHash.segwitV0(tx, inputIndex: index, scriptCode: Script.p2wpkhScriptCode(keyHash: publicKey.hash160),
                                            amount: spent.value, type: type)
        let signature = key.sign(digest: digest) + [UInt8(truncatingIfNeeded: type.rawValue)]
        tx.inputs[index].witness = [signature, publicKey.compressed]
    }
}
