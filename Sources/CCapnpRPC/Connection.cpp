// Connection.cpp: one two-party RPC connection: a WatchedStream that owns the socket (why it
// ended, idle timeout; it frames with a BufferedStream, which passes fds), a TwoPartyVatNetwork
// and an RpcSystem, torn down on the loop in reverse order.

#include "Internal.h"
#include "WatchedStream.h"

#include <capnp/rpc.h>

#include <cstring>
#include <unistd.h>

using namespace ccapnp;

struct ccapnp_connection {
    std::atomic<int32_t> refs{1};
    // Loop-only.
    kj::Own<WatchedStream> watched;
    kj::Own<capnp::TwoPartyVatNetwork> network;
    kj::Own<capnp::RpcSystem<capnp::rpc::twoparty::VatId>> rpc;
    kj::Own<capnp::ClientHook> peerBootstrap; // cached; see setUp
    kj::Promise<void> disconnectWatch = nullptr;
    kj::Maybe<kj::Exception> setupError;
    capnp::rpc::twoparty::Side side = capnp::rpc::twoparty::Side::CLIENT;
    ccapnp_disconnect_fn onDisconnect;
    void *ctx;
    bool notified = false;
    std::atomic<bool> completedCall{false}; // read from any thread

    ccapnp_connection(ccapnp_disconnect_fn fn, void *ctx) : onDisconnect(fn), ctx(ctx) {
        countUp(kConnections);
    }
    ~ccapnp_connection() { countDown(kConnections); }

    void notify(int32_t how, const char *reason) {
        if (notified) return;
        notified = true;
        if (onDisconnect != nullptr) onDisconnect(ctx, how, reason);
    }

    void notifyEnded() {
        if (watched.get() == nullptr || watched->reason().empty()) {
            notify(CCAPNP_ENDED_PEER, "the connection ended");
        } else {
            notify(watched->how(), watched->reason().c_str());
        }
    }

    void setUp(int fd, const ccapnp_connection_options &options, kj::Own<capnp::ClientHook> exported) {
        capnp::ReaderOptions readerOptions;
        readerOptions.traversalLimitInWords = options.traversal_limit_words;
        readerOptions.nestingLimit = options.nesting_limit;
        side = options.is_server ? capnp::rpc::twoparty::Side::SERVER
                                 : capnp::rpc::twoparty::Side::CLIENT;
        WatchedStream::Limits limits;
        limits.idleTimeoutMs = options.idle_timeout_ms;
        limits.handshakeTimeoutMs = options.handshake_timeout_ms;
        limits.maxHeldBytes = options.max_held_bytes;
        watched = kj::heap<WatchedStream>(fd, limits); // owns fd from here, even if it throws
        watched->onCompletedCall = [this]() { completedCall.store(true, std::memory_order_release); };
        network = kj::heap<capnp::TwoPartyVatNetwork>(*watched, options.max_fds_per_message, side,
                                                      readerOptions);
        if (exported.get() != nullptr) {
            rpc = kj::heap(capnp::makeRpcServer(*network, capnp::Capability::Client(kj::mv(exported))));
        } else {
            rpc = kj::heap(capnp::makeRpcClient(*network));
        }
        // TwoPartyVatNetwork only accepts on the server side: a client's RpcSystem does not read
        // the socket until it connects. Bootstrapping now makes it serve the peer at once
        // (the peer may call our bootstrap first) and is a request clients make anyway.
        if (side == capnp::rpc::twoparty::Side::CLIENT) (void)bootstrap();
        disconnectWatch = network->onDisconnect()
                              .then([this]() { notifyEnded(); }, [this](kj::Exception &&) { notifyEnded(); })
                              .eagerlyEvaluate(nullptr);
    }

    kj::Own<capnp::ClientHook> bootstrap() {
        if (rpc.get() == nullptr) {
            KJ_IF_MAYBE(e, setupError) { return capnp::newBrokenCap(kj::cp(*e)); }
            return capnp::newBrokenCap(KJ_EXCEPTION(DISCONNECTED, "connection closed"));
        }
        if (peerBootstrap.get() != nullptr) return peerBootstrap->addRef();
        capnp::word scratch[4];
        memset(scratch, 0, sizeof scratch);
        capnp::MallocMessageBuilder message(scratch);
        auto vatId = message.getRoot<capnp::rpc::twoparty::VatId>();
        vatId.setSide(side == capnp::rpc::twoparty::Side::SERVER ? capnp::rpc::twoparty::Side::CLIENT
                                                                 : capnp::rpc::twoparty::Side::SERVER);
        peerBootstrap = capnp::ClientHook::from(rpc->bootstrap(vatId));
        return peerBootstrap->addRef();
    }

    void tearDown() {
        disconnectWatch = nullptr;
        notify(CCAPNP_ENDED_LOCAL, "closed by this side");
        peerBootstrap = nullptr;
        // The RpcSystem refers to the network, which refers to the streams.
        rpc = nullptr;
        network = nullptr;
        watched = nullptr;
    }
};

extern "C" {

ccapnp_connection_options ccapnp_connection_options_default(void) {
    ccapnp_connection_options options;
    options.traversal_limit_words = 8 * 1024 * 1024;
    options.nesting_limit = 64;
    options.max_fds_per_message = 4;
    options.is_server = 0;
    options.idle_timeout_ms = 0;
    options.handshake_timeout_ms = 0;
    options.max_held_bytes = 4 * 1024 * 1024;
    return options;
}

ccapnp_connection *ccapnp_connection_new(int fd, const ccapnp_connection_options *options,
                                         ccapnp_cap *bootstrap, ccapnp_disconnect_fn on_disconnect,
                                         void *ctx) {
    // Until the work is handed to the loop, failing is ours: close the fd, report the end
    // here, return NULL.
    auto fail = [fd, on_disconnect, ctx](const kj::Exception &e) -> ccapnp_connection * {
        close(fd);
        auto reason = kj::str("could not start RPC: ", e.getDescription());
        if (on_disconnect != nullptr) on_disconnect(ctx, CCAPNP_ENDED_FAILED, reason.cStr());
        return nullptr;
    };
    return guarded("ccapnp_connection_new", [&]() -> ccapnp_connection * {
        requireLoop();
        ccapnp_connection_options opts = options ? *options : ccapnp_connection_options_default();
        if (opts.traversal_limit_words == 0) opts.traversal_limit_words = 8 * 1024 * 1024;
        if (opts.nesting_limit <= 0) opts.nesting_limit = 64;
        auto connection = std::make_unique<ccapnp_connection>(on_disconnect, ctx);
        ccapnp_cap_retain(bootstrap);
        try {
            submit([connection = connection.get(), fd, opts, bootstrap]() {
                kj::Own<capnp::ClientHook> hook;
                if (bootstrap != nullptr && bootstrap->hook.get() != nullptr) hook = bootstrap->hook->addRef();
                ccapnp_cap_release(bootstrap);
                guarded("ccapnp_connection_new (on the loop)", [&] {
                    connection->setUp(fd, opts, kj::mv(hook));
                }, [connection](const kj::Exception &e) {
                    connection->setupError = kj::cp(e);
                    connection->rpc = nullptr;
                    connection->network = nullptr;
                    connection->watched = nullptr;
                    // Reported as a failure, on a later turn.
                    connection->disconnectWatch =
                        kj::evalLater([connection]() {
                            auto reason = kj::str("could not start RPC: ",
                                                  KJ_ASSERT_NONNULL(connection->setupError).getDescription());
                            connection->notify(CCAPNP_ENDED_FAILED, reason.cStr());
                        }).eagerlyEvaluate(nullptr);
                });
            });
        } catch (...) {
            ccapnp_cap_release(bootstrap); // the work never ran
            throw;
        }
        return connection.release();
    }, fail);
}

void ccapnp_connection_release(ccapnp_connection *connection) {
    if (connection == nullptr) return;
    if (connection->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    guarded("ccapnp_connection_release", [connection] {
        // A later turn: the caller may be inside a callback running under this RpcSystem.
        submit([connection]() {
            loopTasks().add(kj::evalLater([connection]() {
                connection->tearDown();
                delete connection;
            }));
        });
    });
}

int32_t ccapnp_connection_completed_call(ccapnp_connection *connection) {
    return connection != nullptr && connection->completedCall.load(std::memory_order_acquire) ? 1 : 0;
}

ccapnp_cap *ccapnp_connection_bootstrap(ccapnp_connection *connection) {
    return guarded("ccapnp_connection_bootstrap", [&]() -> ccapnp_cap * {
        if (connection == nullptr) return nullptr;
        auto cap = std::make_unique<ccapnp_cap>();
        connection->refs.fetch_add(1, std::memory_order_relaxed);
        try {
            submit([cap = cap.get(), connection]() {
                guarded("ccapnp_connection_bootstrap (on the loop)",
                        [&] { cap->hook = connection->bootstrap(); },
                        [cap](const kj::Exception &e) { cap->hook = capnp::newBrokenCap(kj::cp(e)); });
                ccapnp_connection_release(connection);
            });
        } catch (...) {
            ccapnp_connection_release(connection); // the work never ran
            throw;
        }
        return cap.release();
    }, [](const kj::Exception &) -> ccapnp_cap * { return nullptr; });
}

} // extern "C"
