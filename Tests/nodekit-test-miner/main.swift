// A child for NodeKit's crash test: mines into a datadir without end, each block after maturity
// carrying a signed spend, and prints "<height> <hash>" once each block is stored and connected,
// so the test can kill it with SIGKILL in the middle of a burst and check what it acknowledged.
//
// Usage: nodekit-test-miner <datadir>

import Consensus
import Foundation
import NodeKit

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: nodekit-test-miner <datadir>\n".utf8))
    exit(2)
}
let key = try! PrivateKey([UInt8](repeating: 0x42, count: 32))
let script = Script.p2wpkh(keyHash: key.publicKey.hash160)
let chain = try ChainState(datadir: CommandLine.arguments[1])
while true {
    let height = await chain.height
    // Spend the coinbase that just matured, back to ourselves with a fee.
    let spendable = height + 1 - ChainParams.regtest.coinbaseMaturity
    if spendable >= 1, let blockHash = await chain.blockHash(height: spendable), let block = try await chain.block(blockHash) {
        let coinbase = block.transactions[0]
        var tx = Transaction(inputs: [TxIn(previousOutput: OutPoint(txid: coinbase.txid, index: 0))],
                             outputs: [TxOut(value: coinbase.outputs[0].value - 10_000, scriptPubKey: script)])
        Signer.signP2WPKH(&tx, inputIndex: 0, key: key, spent: coinbase.outputs[0])
        try await chain.acceptToMempool(tx)
    }
    let hash = try await chain.generate(count: 1, to: script)[0]
    FileHandle.standardOutput.write(Data("\(height + 1) \(hash.hex)\n".utf8))  // unbuffered: a line means acknowledged
}
