@0x8ca98a3fd6acc43f;
# Node: what a CLI or GUI asks of the node process. Hashes are Data in Bitcoin's internal byte
# order; amounts are Int64 units.

using Swift = import "swift.capnp";
$Swift.module("NodeInterfaces");

using Proxy = import "/mp/proxy.capnp";
using Handler = import "handler.capnp";
using Wallet = import "wallet.capnp";

interface Node {
  # The running node: its state, its blocks, mining, reorgs, and stopping it.

  destroy @0 (context :Proxy.Context) -> ();
  # Releases the server object.
  getNodeInfo @1 (context :Proxy.Context) -> (result :NodeInfo);
  # Height, tip, mempool, uptime and processes.
  getBlock @2 (context :Proxy.Context, hash :Data) -> (result :BlockSummary);
  # A block decoded; fails for an unknown hash.
  getRawTransaction @3 (context :Proxy.Context, txid :Data) -> (result :Data, blockHash :Data);
  # A transaction from the mempool or the active chain; `blockHash` is empty for a mempool one.
  getMempoolInfo @4 (context :Proxy.Context) -> (result :MempoolInfo);
  # The mempool's size.
  generateToAddress @5 (context :Proxy.Context, count :Int32, address :Text) -> (result :List(Data));
  # Mines `count` blocks paying a bcrt1 P2WPKH address; returns their hashes.
  invalidateBlock @6 (context :Proxy.Context, hash :Data) -> ();
  # Marks a block invalid: it and its descendants leave the active chain.
  reconsiderBlock @7 (context :Proxy.Context, hash :Data) -> ();
  # Clears a block's invalid mark; the chain with most work becomes active.
  walletLoader @8 (context :Proxy.Context) -> (result :Wallet.WalletLoader);
  # The wallet child's loader; its calls go on to the wallet process.
  handleInitMessage @9 (context :Proxy.Context, callback :InitMessageCallback) -> (result :Handler.Handler);
  # Calls `callback` with every Chain.initMessage until the Handler goes.
  handleShowProgress @10 (context :Proxy.Context, callback :ShowProgressCallback) -> (result :Handler.Handler);
  # Calls `callback` with every Chain.showProgress until the Handler goes.
  stop @11 (context :Proxy.Context) -> ();
  # Stops the node: it answers, then closes every connection and exits.
  attachWalletLoader @12 (context :Proxy.Context, loader :Wallet.WalletLoader) -> ();
  # A node-wallet started with -ipcconnect: walletLoader hands out `loader` until its process goes.
}

interface InitMessageCallback {
  # Receives startup messages.

  destroy @0 (context :Proxy.Context) -> ();
  notify @1 (context :Proxy.Context, message :Text) -> ();
  # Bitcoin Core names it `call` (same ordinal); the generator's dispatch cannot take that name yet.
}

interface ShowProgressCallback {
  # Receives progress reports.

  destroy @0 (context :Proxy.Context) -> ();
  notify @1 (context :Proxy.Context, title :Text, progress :Int32, resumePossible :Bool) -> ();
  # Bitcoin Core's `call` @1, renamed as in InitMessageCallback.
}

struct NodeInfo {
  # What `getnodeinfo` shows.

  height @0 :Int32;
  tipHash @1 :Data;
  mempoolCount @2 :Int32;
  mempoolBytes @3 :Int64;
  uptimeSeconds @4 :Int64;
  pid @5 :Int32;
  walletPid @6 :Int32;
  # 0: no wallet child.
  walletState @7 :Text;
  # "none" until the wallet issue spawns one.
}

struct BlockSummary {
  # A block decoded for display.

  hash @0 :Data;
  height @1 :Int32;
  # -1 when the block is not in the active chain.
  version @2 :Int32;
  previousBlockHash @3 :Data;
  merkleRoot @4 :Data;
  time @5 :UInt32;
  bits @6 :UInt32;
  nonce @7 :UInt32;
  txids @8 :List(Data);
  size @9 :Int32;
  weight @10 :Int32;
  inActiveChain @11 :Bool;
  confirmations @12 :Int32;
}

struct MempoolInfo {
  # The mempool's size.

  size @0 :Int32;
  bytes @1 :Int64;
  vsize @2 :Int64;
  totalFee @3 :Int64;
}
