@0xfba722111779714a;
# The wallet process's interfaces, with Bitcoin Core's interfaces::WalletLoader and interfaces::Wallet
# method names (Bitcoin Core ships no wallet schema, so the file ID is ours). Txids are Data in
# Bitcoin's internal byte order; transactions are Bitcoin's serialization; amounts are Int64 units.

using Swift = import "swift.capnp";
$Swift.module("NodeInterfaces");

using Proxy = import "/mp/proxy.capnp";
using Handler = import "handler.capnp";

interface WalletLoader {
  # Creates, loads and lists the wallets of one wallet process; also Bitcoin Core's ChainClient duties.

  destroy @0 (context :Proxy.Context) -> ();
  # Releases the server object.
  createWallet @1 (context :Proxy.Context, name :Text, options :WalletCreateOptions) -> (result :Wallet);
  # Makes a new wallet (a fresh seed) under the wallet directory and loads it; fails if it exists.
  loadWallet @2 (context :Proxy.Context, name :Text) -> (result :Wallet);
  # Opens an existing wallet and rescans it from its last block; fails if it is loaded or missing.
  unloadWallet @3 (context :Proxy.Context, name :Text) -> ();
  # Stops a loaded wallet (cancelling its rescan) and closes its database.
  getWalletDir @4 (context :Proxy.Context) -> (result :Text);
  # The directory holding one subdirectory per wallet.
  listWalletDir @5 (context :Proxy.Context) -> (result :List(Text));
  # The names of the wallets on disk, loaded or not.
  getWallets @6 (context :Proxy.Context) -> (result :List(Wallet));
  # The loaded wallets, in load order.
  handleLoadWallet @7 (context :Proxy.Context, callback :LoadWalletCallback) -> (result :Handler.Handler);
  # Calls `callback` with every wallet loaded from now on, until the Handler goes.
  start @8 (context :Proxy.Context) -> ();
  # ChainClient::start: subscribes the loaded wallets to the chain's notifications.
  flush @9 (context :Proxy.Context) -> ();
  # ChainClient::flush: checkpoints every wallet database.
  stop @10 (context :Proxy.Context) -> ();
  # ChainClient::stop: unloads every wallet; the process may then exit.
  getWalletNames @11 (context :Proxy.Context) -> (result :List(Text));
  # The loaded wallets' names, in load order.
}

struct WalletCreateOptions {
  # What createWallet may be asked for.

  seed @0 :Data;
  # A BIP32 seed (16 to 64 bytes) to use instead of a fresh random one; empty for a fresh one.
}

interface LoadWalletCallback {
  # Receives each wallet as it is loaded.

  destroy @0 (context :Proxy.Context) -> ();
  notify @1 (context :Proxy.Context, wallet :Wallet) -> ();
  # Bitcoin Core's `call`, renamed as in node.capnp's callbacks.
}

interface Wallet {
  # One loaded wallet: its keys, coins and transactions. Keys never leave the wallet process.

  destroy @0 (context :Proxy.Context) -> ();
  # Releases the server object.
  getWalletName @1 (context :Proxy.Context) -> (result :Text);
  # The wallet's name.
  getNewDestination @2 (context :Proxy.Context, label :Text) -> (result :Text);
  # A new receive address (P2WPKH, bech32 `bcrt1q…` on regtest) from m/84'/1'/0'/0/i.
  getAddresses @3 (context :Proxy.Context) -> (result :List(WalletAddress));
  # Every receive address handed out, in order.
  getBalances @4 (context :Proxy.Context) -> (result :WalletBalances);
  # The wallet's balances.
  listTransactions @5 (context :Proxy.Context) -> (result :List(WalletTx));
  # Every transaction touching the wallet, oldest first.
  getTransaction @6 (context :Proxy.Context, txid :Data) -> (result :WalletTx);
  # One transaction; fails if the wallet does not know it.
  createTransaction @7 (context :Proxy.Context, recipients :List(Recipient), feeRate :Int64,
                        subtractFeeFromOutputs :Bool) -> (tx :Data, fee :Int64, changePosition :Int32);
  # Selects coins, adds change to a new change address and signs; `feeRate` (units per 1000 vbytes)
  # 0 asks the chain's estimate. Reserves the inputs; nothing is broadcast. changePosition -1: no change.
  commitTransaction @8 (context :Proxy.Context, tx :Data) -> ();
  # Records `tx` with its inputs spent, then broadcasts it; a refusal undoes both and fails with the node's reason.
  abandonTransaction @9 (context :Proxy.Context, txid :Data) -> (result :Bool);
  # Forgets an unconfirmed transaction not in the mempool, freeing its inputs; false if it cannot.
  backupWallet @10 (context :Proxy.Context, destination :FileDescriptor) -> ();
  # Writes a consistent copy of the wallet database to an open, writable file the caller passes.
  handleTransactionChanged @11 (context :Proxy.Context, callback :TransactionChangedCallback) -> (result :Handler.Handler);
  # Calls `callback` whenever a wallet transaction is added, confirmed, unconfirmed or abandoned.
  handleShowProgress @12 (context :Proxy.Context, callback :WalletShowProgressCallback) -> (result :Handler.Handler);
  # Calls `callback` with the wallet's rescan progress.
}

struct WalletAddress {
  # An address the wallet handed out.

  address @0 :Text;
  label @1 :Text;
  isChange @2 :Bool;
}

struct WalletBalances {
  # Bitcoin Core's WalletBalances, without watch-only.

  balance @0 :Int64;
  # Trusted: confirmed, plus our own unconfirmed change.
  unconfirmedBalance @1 :Int64;
  # Untrusted pending: unconfirmed payments from others.
  immatureBalance @2 :Int64;
  # Coinbase outputs not yet spendable.
}

struct Recipient {
  # One payment of a createTransaction.

  address @0 :Text;
  amount @1 :Int64;
}

struct WalletTx {
  # A transaction as the wallet sees it.

  txid @0 :Data;
  tx @1 :Data;
  # The serialized transaction.
  amount @2 :Int64;
  # Net effect on the wallet: received minus sent (fee included).
  fee @3 :Int64;
  # Known only for transactions the wallet paid for; 0 otherwise.
  blockHash @4 :Data;
  # Empty while unconfirmed.
  blockHeight @5 :Int32;
  # -1 while unconfirmed.
  confirmations @6 :Int32;
  isCoinbase @7 :Bool;
  abandoned @8 :Bool;
  time @9 :Int64;
  # When the wallet first saw it (seconds since 1970).
}

interface TransactionChangedCallback {
  # Receives changes to the wallet's transactions.

  destroy @0 (context :Proxy.Context) -> ();
  notify @1 (context :Proxy.Context, txid :Data, status :Int32) -> ();
  # Bitcoin Core's ChangeType: 0 new, 1 updated, 2 deleted.
}

interface WalletShowProgressCallback {
  # Receives rescan progress.

  destroy @0 (context :Proxy.Context) -> ();
  notify @1 (context :Proxy.Context, title :Text, progress :Int32) -> ();
}

interface FileDescriptor {
  # A capability that only carries an open file descriptor across the connection (SCM_RIGHTS).

  destroy @0 (context :Proxy.Context) -> ();
  # Never called; it is here because capnpc-swift cannot yet generate an interface without methods.
}
