@0xf1b5f77ea052a419;
# Chain: what a wallet (or any client) asks of the node's chain state, with Bitcoin Core's
# interfaces::Chain method names. Hashes and txids are Data in Bitcoin's internal byte order
# (displays reverse them); transactions and blocks are Bitcoin's serialization; amounts are Int64 units.

using Swift = import "swift.capnp";
$Swift.module("NodeInterfaces");

using Proxy = import "/mp/proxy.capnp";
using Handler = import "handler.capnp";

interface Chain {
  # The node's active chain, block tree, UTXO set and mempool.

  destroy @0 (context :Proxy.Context) -> ();
  # Releases the server object.
  getHeight @1 (context :Proxy.Context) -> (result :Int32);
  # The active chain's height (0: only the genesis block).
  getBlockHash @2 (context :Proxy.Context, height :Int32) -> (result :Data);
  # The hash of the active chain's block at `height`; fails when there is none.
  findBlock @3 (context :Proxy.Context, hash :Data, wantData :Bool) -> (result :FoundBlock);
  # What is known of a block; `found` is false for an unknown hash.
  findAncestorByHeight @4 (context :Proxy.Context, blockHash :Data, ancestorHeight :Int32) -> (result :FoundBlock);
  # The ancestor of `blockHash` at `ancestorHeight`.
  findCommonAncestor @5 (context :Proxy.Context, blockHash1 :Data, blockHash2 :Data) -> (result :FoundBlock);
  # The last block both hashes descend from.
  getTip @6 (context :Proxy.Context) -> (hash :Data, height :Int32);
  # The active chain's tip.
  findCoins @7 (context :Proxy.Context, outpoints :List(OutPoint)) -> (result :List(FoundCoin));
  # For each outpoint, the unspent output it names, if any (mempool spends not applied).
  isInMempool @8 (context :Proxy.Context, txid :Data) -> (result :Bool);
  # Whether the mempool holds `txid`.
  broadcastTransaction @9 (context :Proxy.Context, tx :Data, maxTxFee :Int64) -> (error :Text, result :Bool);
  # Submits a transaction to the mempool; `result` false and `error` says why it was refused.
  estimateSmartFee @10 (context :Proxy.Context, numBlocks :Int32) -> (result :Int64);
  # A feerate (units per 1000 virtual bytes) to confirm within `numBlocks`.
  relayMinFee @11 (context :Proxy.Context) -> (result :Int64);
  # The lowest feerate (units per 1000 virtual bytes) the mempool relays.
  isInitialBlockDownload @12 (context :Proxy.Context) -> (result :Bool);
  # Whether the node is still catching up (never, on regtest).
  shutdownRequested @13 (context :Proxy.Context) -> (result :Bool);
  # Whether the node is stopping.
  initMessage @14 (context :Proxy.Context, message :Text) -> ();
  # A startup message from a client (the wallet), passed on to Node.handleInitMessage subscribers.
  showProgress @15 (context :Proxy.Context, title :Text, progress :Int32, resumePossible :Bool) -> ();
  # Progress from a client, passed on to Node.handleShowProgress subscribers.
  handleNotifications @16 (context :Proxy.Context, notifications :ChainNotifications) -> (result :Handler.Handler);
  # Delivers every chain event from now on, in order, until the Handler is dropped or disconnected.
  requestMempoolTransactions @17 (context :Proxy.Context, notifications :ChainNotifications) -> ();
  # Sends transactionAddedToMempool for each mempool transaction, in arrival order.
  waitForNotificationsIfTipChanged @18 (context :Proxy.Context, oldTip :Data) -> ();
  # Returns once every notification up to the current tip was delivered, if the tip is not `oldTip`.
}

interface ChainNotifications {
  # A subscriber's callbacks, called in the order things happen.

  destroy @0 (context :Proxy.Context) -> ();
  # Releases the server object.
  transactionAddedToMempool @1 (context :Proxy.Context, tx :Data) -> ();
  # A transaction entered the mempool.
  transactionRemovedFromMempool @2 (context :Proxy.Context, tx :Data, reason :Int32) -> ();
  # A transaction left the mempool; `reason` as Bitcoin Core's MemPoolRemovalReason: 2 reorg, 3 block, 4 conflict.
  blockConnected @3 (context :Proxy.Context, block :BlockInfo) -> ();
  # A block joined the active chain.
  blockDisconnected @4 (context :Proxy.Context, block :BlockInfo) -> ();
  # A block left the active chain (a reorg or invalidateblock).
  updatedBlockTip @5 (context :Proxy.Context) -> ();
  # The active chain changed; sent once after its blocks' events.
  chainStateFlushed @6 (context :Proxy.Context, locator :List(Data)) -> ();
  # The chain state is on disk up to the first hash of `locator`.
}

struct BlockInfo {
  # A block in a notification.

  hash @0 :Data;
  prevHash @1 :Data;
  height @2 :Int32;
  time @3 :UInt32;
  data @4 :Data;
  # The serialized block.
}

struct FoundBlock {
  # What findBlock and friends learn about a block.

  found @0 :Bool;
  hash @1 :Data;
  height @2 :Int32;
  time @3 :UInt32;
  medianTimePast @4 :UInt32;
  inActiveChain @5 :Bool;
  data @6 :Data;
  # The serialized block, when asked for.
}

struct OutPoint {
  # A transaction output: its transaction's txid and its index there.

  txid @0 :Data;
  index @1 :UInt32;
}

struct FoundCoin {
  # An unspent output, when `found`.

  found @0 :Bool;
  value @1 :Int64;
  scriptPubKey @2 :Data;
  height @3 :Int32;
  isCoinbase @4 :Bool;
}
