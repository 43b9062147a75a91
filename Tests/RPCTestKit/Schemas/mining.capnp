@0xe14dfe4e29f1c232;
# The shape of Bitcoin Core's mining.capnp (its method names, ordinals and fields; our own file
# ID): a pointer `result` beside a Bool `hasResult`, with libmultiprocess's implicit context.
# It used to fail to compile with "invalid redeclaration of 'hasResult'"; compiling is the test.

using Proxy = import "/mp/proxy.capnp";

struct BlockRef {
  hash @0 :Data;
  height @1 :Int32;
}

interface Mining {
  isTestChain @0 (context :Proxy.Context) -> (result :Bool);
  isInitialBlockDownload @1 (context :Proxy.Context) -> (result :Bool);
  getTip @2 (context :Proxy.Context) -> (result :BlockRef, hasResult :Bool);
  waitTipChanged @3 (context :Proxy.Context, currentTip :Data, timeout :Float64) -> (result :BlockRef);
}
