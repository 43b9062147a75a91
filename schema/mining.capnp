@0xc77d03df6a41b505;
# Mining and BlockTemplate: block templates for external miners (Stratum v2 template providers),
# with Bitcoin Core's file ID, ordinals, fields, defaults and libmultiprocess annotations, so its
# mining.capnp and this file are interchangeable.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("ipc::capnp::messages");

using Swift = import "swift.capnp";
$Swift.module("NodeInterfaces");

using Common = import "common.capnp";
using Proxy = import "/mp/proxy.capnp";
$Proxy.include("interfaces/mining.h");
$Proxy.includeTypes("ipc/capnp/mining-types.h");

const maxMoney :Int64 = 2100000000000000;
const maxDouble :Float64 = 1.7976931348623157e308;
const defaultBlockReservedWeight :UInt32 = 8000;
const defaultCoinbaseOutputMaxAdditionalSigops :UInt32 = 400;

interface Mining $Proxy.wrap("interfaces::Mining") {
  # The node's chain tip and block templates.

  isTestChain @0 (context :Proxy.Context) -> (result :Bool);
  # True on a test chain (regtest here).
  isInitialBlockDownload @1 (context :Proxy.Context) -> (result :Bool);
  # True while the node is still catching up.
  getTip @2 (context :Proxy.Context) -> (result :Common.BlockRef, hasResult :Bool);
  # The active tip; `hasResult` false when there is none.
  waitTipChanged @3 (context :Proxy.Context, currentTip :Data, timeout :Float64 = .maxDouble) -> (result :Common.BlockRef);
  # Waits until the tip is not `currentTip` (or `timeout` seconds pass, or an interrupt) and returns the tip.
  createNewBlock @4 (context :Proxy.Context, options :BlockCreateOptions, cooldown :Bool = true) -> (result :BlockTemplate);
  # A template on the tip, the coinbase left to the client.
  checkBlock @5 (context :Proxy.Context, block :Data, options :BlockCheckOptions) -> (reason :Text, debug :Text, result :Bool);
  # Checks a block fully against the tip without connecting it.
  interrupt @6 () -> ();
  # Ends waitTipChanged calls now.
  submitBlock @7 (context :Proxy.Context, block :Data) -> (reason :Text, debug :Text, result :Bool);
  # Checks and connects a whole block.
  getTransactionsByTxID @8 (context :Proxy.Context, txids :List(Data)) -> (result :List(Data));
  # Mempool transactions by txid (empty Data for one not there).
  getTransactionsByWitnessID @9 (context :Proxy.Context, wtxids :List(Data)) -> (result :List(Data));
  # Mempool transactions by wtxid (empty Data for one not there).
}

interface BlockTemplate $Proxy.wrap("interfaces::BlockTemplate") {
  # One block template: read it, solve it, or wait for a better one.

  destroy @0 (context :Proxy.Context) -> ();
  # Frees the template.
  getBlockHeader @1 (context :Proxy.Context) -> (result :Data);
  # The 80-byte header (merkle root over the node's placeholder coinbase).
  getBlock @2 (context :Proxy.Context) -> (result :Data);
  # The whole block, serialized with witnesses.
  getTxFees @3 (context :Proxy.Context) -> (result :List(Int64));
  # Each non-coinbase transaction's fee.
  getTxSigops @4 (context :Proxy.Context) -> (result :List(Int64));
  # Each non-coinbase transaction's sigop cost.
  getCoinbaseTx @5 (context :Proxy.Context) -> (result :CoinbaseTx);
  # What the client's coinbase must contain.
  getCoinbaseMerklePath @6 (context :Proxy.Context) -> (result :List(Data));
  # The merkle branch from the coinbase's txid to the root.
  submitSolutionOld7 @7 (context :Proxy.Context, version :UInt32, timestamp :UInt32, nonce :UInt32, coinbase :Data) -> (result :Bool);
  # The older submitSolution, without a reason.
  waitNext @8 (context :Proxy.Context, options :BlockWaitOptions) -> (result :BlockTemplate);
  # Waits for a new tip or higher fees; an empty result on timeout or interrupt.
  interruptWait @9 () -> ();
  # Ends a waitNext now.
  submitSolution @10 (context :Proxy.Context, version :UInt32, timestamp :UInt32, nonce :UInt32, coinbase :Data) -> (reason :Text, debug :Text, result :Bool);
  # Assembles the block from the template and the client's coinbase, checks it and connects it.
}

struct BlockCreateOptions $Proxy.wrap("node::BlockCreateOptions") {
  useMempool @0 :Bool = true $Proxy.name("use_mempool");
  blockReservedWeight @1 :UInt64 = .defaultBlockReservedWeight $Proxy.name("block_reserved_weight");
  coinbaseOutputMaxAdditionalSigops @2 :UInt64 = .defaultCoinbaseOutputMaxAdditionalSigops $Proxy.name("coinbase_output_max_additional_sigops");
}

struct BlockWaitOptions $Proxy.wrap("node::BlockWaitOptions") {
  timeout @0 :Float64 = .maxDouble $Proxy.name("timeout");
  # Seconds.
  feeThreshold @1 :Int64 = .maxMoney $Proxy.name("fee_threshold");
  # The fee increase (units) that makes a new template worth returning.
}

struct BlockCheckOptions $Proxy.wrap("node::BlockCheckOptions") {
  checkMerkleRoot @0 :Bool = true $Proxy.name("check_merkle_root");
  checkPow @1 :Bool = true $Proxy.name("check_pow");
}

struct CoinbaseTx $Proxy.wrap("node::CoinbaseTx") {
  version @0 :UInt32 $Proxy.name("version");
  sequence @1 :UInt32 $Proxy.name("sequence");
  scriptSigPrefix @2 :Data $Proxy.name("script_sig_prefix");
  witness @3 :Data $Proxy.name("witness");
  blockRewardRemaining @4 :Int64 $Proxy.name("block_reward_remaining");
  requiredOutputs @5 :List(Data) $Proxy.name("required_outputs");
  lockTime @6 :UInt32 $Proxy.name("lock_time");
}
