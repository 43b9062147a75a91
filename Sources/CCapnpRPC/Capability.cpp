// Capability.cpp: capability handles and outgoing calls. A call is typelessRequest-style
// (ClientHook::newCall with the interface and method IDs); its RemotePromise is split into the
// result promise, which delivers the completion callback, and the pipeline, which serves
// ccapnp_call_pipeline.

#include "Internal.h"

#include <fcntl.h>
#include <memory>
#include <unistd.h>

using namespace ccapnp;

struct ccapnp_call {
    // Loop-only state. The handle has exactly one owner, so no refcount: every operation on it
    // is submitted in order and release comes last.
    kj::Promise<void> promise = nullptr;
    capnp::AnyPointer::Pipeline pipeline = nullptr;
    bool hasPipeline = false;
    ccapnp_call_done_fn done;
    void *ctx;
    bool completed = false;
    /// True while `done` runs: the call's own promise may be executing beneath it.
    bool inCompletion = false;

    ccapnp_call(ccapnp_call_done_fn done, void *ctx) : done(done), ctx(ctx) { countUp(kCalls); }
    ~ccapnp_call() { countDown(kCalls); }

    void finishWithError(const kj::Exception &e) {
        if (completed) return;
        completed = true;
        if (done != nullptr) withError(e, [](void *self, const ccapnp_error *err) {
            auto *call = static_cast<ccapnp_call *>(self);
            call->complete(nullptr, err);
        }, this);
    }

    void complete(ccapnp_message *results, const ccapnp_error *error) {
        inCompletion = true;
        done(ctx, results, error);
        inCompletion = false;
    }

    void finishWithResults(ccapnp_message *results) {
        if (completed) {
            ccapnp_message_release(results);
            return;
        }
        completed = true;
        if (done != nullptr) {
            complete(results, nullptr);
        } else {
            ccapnp_message_release(results);
        }
    }

    void cancel() {
        if (completed) return;
        // Dropping both the promise and the pipeline releases the question, so capnp sends
        // Finish; pipelined caps already handed out keep the question alive on their own.
        promise = nullptr;
        pipeline = nullptr;
        hasPipeline = false;
        static const char text[] = "call cancelled";
        completed = true;
        if (done != nullptr) {
            ccapnp_error error{CCAPNP_CANCELLED, 0, text, sizeof text - 1};
            complete(nullptr, &error);
        }
    }
};

namespace {

kj::Own<capnp::ClientHook> hookOrBroken(ccapnp_cap *cap) {
    if (cap != nullptr && cap->hook.get() != nullptr) return cap->hook->addRef();
    return capnp::newBrokenCap("null capability");
}

/// Completes `call` with `e` on a later turn, like any other completion.
void failLater(ccapnp_call *call, const kj::Exception &e) {
    call->promise = kj::evalLater([call, error = kj::cp(e)]() { call->finishWithError(error); })
                        .eagerlyEvaluate(nullptr);
}

void sendOnLoop(ccapnp_call *call, kj::Own<capnp::ClientHook> target, uint64_t interfaceId,
                uint16_t methodId, const PendingMessage &params) {
    guarded("ccapnp_call_send (on the loop)", [&] {
        auto request = target->newCall(interfaceId, methodId, params.sizeHint());
        params.copyInto(request);
        auto remote = request.send();
        call->pipeline = kj::mv(static_cast<capnp::AnyPointer::Pipeline &>(remote));
        call->hasPipeline = true;
        kj::Promise<capnp::Response<capnp::AnyPointer>> response =
            kj::mv(static_cast<kj::Promise<capnp::Response<capnp::AnyPointer>> &>(remote));
        call->promise = response
                            .then(
                                [call](capnp::Response<capnp::AnyPointer> &&r) {
                                    ccapnp_message *results;
                                    try {
                                        results = copyOut(r);
                                    } catch (...) {
                                        // Delivered, not logged: a results message may break
                                        // the reader limits, which is the caller's to know.
                                        call->finishWithError(caughtException());
                                        return;
                                    }
                                    call->finishWithResults(results);
                                },
                                [call](kj::Exception &&e) { call->finishWithError(e); })
                            .eagerlyEvaluate(nullptr);
    }, [call](const kj::Exception &e) { failLater(call, e); });
}

/// A server that only carries an fd: sending it sends the fd.
class FdServer final : public capnp::Capability::Server {
public:
    explicit FdServer(int fd) : fd(fd) { countUp(kServers); }
    ~FdServer() noexcept(false) {
        close(fd);
        countDown(kServers);
    }
    DispatchCallResult dispatchCall(uint64_t interfaceId, uint16_t methodId,
                                    capnp::CallContext<capnp::AnyPointer, capnp::AnyPointer>) override {
        return {KJ_EXCEPTION(UNIMPLEMENTED, "fd capability has no methods", interfaceId, methodId),
                false};
    }
    kj::Maybe<int> getFd() override { return fd; }

private:
    int fd;
};

} // namespace

extern "C" {

void ccapnp_cap_retain(ccapnp_cap *cap) {
    if (cap != nullptr) cap->refs.fetch_add(1, std::memory_order_relaxed);
}

void ccapnp_cap_release(ccapnp_cap *cap) {
    if (cap == nullptr) return;
    if (cap->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    guarded("ccapnp_cap_release", [cap] { submit([cap]() { delete cap; }); });
}

ccapnp_cap *ccapnp_cap_new_broken(int32_t kind, const char *text) {
    return guarded("ccapnp_cap_new_broken", [&]() -> ccapnp_cap * {
        requireLoop();
        auto cap = std::make_unique<ccapnp_cap>();
        kj::String reason = kj::str(text == nullptr ? "broken capability" : text);
        fillNowOrLater(cap.get(), [kind, reason = kj::mv(reason)]() mutable {
            return capnp::newBrokenCap(
                kj::Exception(typeOf(kind), __FILE__, __LINE__, kj::mv(reason)));
        });
        return cap.release();
    }, [](const kj::Exception &) -> ccapnp_cap * { return nullptr; });
}

ccapnp_cap *ccapnp_cap_new_fd(int fd) {
    // The fd is the server's once it exists; until then, closing it on failure is ours.
    auto owned = std::make_shared<int>(fd);
    return guarded("ccapnp_cap_new_fd", [&]() -> ccapnp_cap * {
        requireLoop();
        auto cap = std::make_unique<ccapnp_cap>();
        fillNowOrLater(cap.get(), [owned]() {
            kj::Own<FdServer> server;
            try {
                server = kj::heap<FdServer>(*owned);
            } catch (...) {
                close(*owned);
                *owned = -1;
                throw;
            }
            *owned = -1;
            return capnp::ClientHook::from(capnp::Capability::Client(kj::mv(server)));
        });
        return cap.release();
    }, [owned](const kj::Exception &) -> ccapnp_cap * {
        if (*owned >= 0) close(*owned);
        return nullptr;
    });
}

void ccapnp_cap_get_brand(ccapnp_cap *cap, ccapnp_brand_fn done, void *ctx) {
    // Exactly once: from the loop once the work is handed over, else here with null.
    auto fail = [done, ctx](const kj::Exception &) { done(ctx, nullptr); };
    guarded("ccapnp_cap_get_brand", [&] {
        requireLoop();
        ccapnp_cap_retain(cap);
        try {
            submit([cap, done, ctx]() {
                const void *brand = cap->hook.get() != nullptr ? cap->hook->getBrand() : nullptr;
                ccapnp_cap_release(cap);
                done(ctx, brand);
            });
        } catch (...) {
            ccapnp_cap_release(cap); // the work never ran
            throw;
        }
    }, fail);
}

const void *ccapnp_cap_brand_on_loop(ccapnp_cap *cap) {
    return guarded("ccapnp_cap_brand_on_loop", [&]() -> const void * {
        if (cap == nullptr || !onLoopThread() || cap->hook.get() == nullptr) return nullptr;
        return cap->hook->getBrand();
    });
}

int ccapnp_cap_dup_fd_on_loop(ccapnp_cap *cap) {
    return guarded("ccapnp_cap_dup_fd_on_loop", [&]() -> int {
        if (cap == nullptr || !onLoopThread() || cap->hook.get() == nullptr) return -1;
        KJ_IF_MAYBE(fd, cap->hook->getFd()) { return fcntl(*fd, F_DUPFD_CLOEXEC, 0); }
        return -1;
    }, [](const kj::Exception &) { return -1; });
}

void ccapnp_cap_get_fd(ccapnp_cap *cap, ccapnp_fd_fn done, void *ctx) {
    // Exactly once: from the loop once the work is handed over, else here with -1.
    auto fail = [done, ctx](const kj::Exception &) { done(ctx, -1); };
    guarded("ccapnp_cap_get_fd", [&] {
        requireLoop();
        ccapnp_cap_retain(cap);
        try {
            submit([cap, done, ctx, fail]() {
                capnp::Capability::Client client(hookOrBroken(cap));
                ccapnp_cap_release(cap);
                guarded("ccapnp_cap_get_fd (on the loop)", [&] {
                    auto promise = client.getFd();
                    loopTasks().add(promise
                                        .then(
                                            [done, ctx](kj::Maybe<int> fd) {
                                                int out = -1;
                                                KJ_IF_MAYBE(f, fd) { out = fcntl(*f, F_DUPFD_CLOEXEC, 0); }
                                                done(ctx, out);
                                            },
                                            [done, ctx](kj::Exception &&) { done(ctx, -1); })
                                        .attach(kj::mv(client)));
                }, fail);
            });
        } catch (...) {
            ccapnp_cap_release(cap); // the work never ran
            throw;
        }
    }, fail);
}

ccapnp_call *ccapnp_call_send(ccapnp_cap *target, uint64_t interface_id, uint16_t method_id,
                              const ccapnp_message_in *params, ccapnp_call_done_fn done, void *ctx) {
    // Until the call is handed to the loop, failing is ours: `done` gets FAILED here, the
    // params' release runs (PendingMessage's destructor), and the caller gets NULL.
    auto fail = [done, ctx](const kj::Exception &e) -> ccapnp_call * {
        if (done != nullptr) {
            struct Target { ccapnp_call_done_fn done; void *ctx; } target{done, ctx};
            withError(e, [](void *t, const ccapnp_error *error) {
                auto *target = static_cast<Target *>(t);
                target->done(target->ctx, nullptr, error);
            }, &target);
        }
        return nullptr;
    };
    return guarded("ccapnp_call_send", [&]() -> ccapnp_call * {
        bool inlineOK = canRunInline(); // on the loop, so it runs; otherwise enqueue checks
        PendingMessage message(params, !inlineOK);
        auto call = std::make_unique<ccapnp_call>(done, ctx);
        if (inlineOK) {
            sendOnLoop(call.get(), hookOrBroken(target), interface_id, method_id, message);
            return call.release();
        }
        ccapnp_cap_retain(target);
        try {
            submit(false, [call = call.get(), target, interface_id, method_id, message = std::move(message)]() {
                auto hook = hookOrBroken(target);
                ccapnp_cap_release(target);
                sendOnLoop(call, kj::mv(hook), interface_id, method_id, message);
            });
        } catch (...) {
            ccapnp_cap_release(target); // the work never ran
            throw;
        }
        return call.release();
    }, fail);
}

ccapnp_cap *ccapnp_call_pipeline(ccapnp_call *call, const uint16_t *path, size_t path_length) {
    return guarded("ccapnp_call_pipeline", [&]() -> ccapnp_cap * {
        if (call == nullptr) return nullptr;
        auto cap = std::make_unique<ccapnp_cap>();
        std::vector<uint16_t> ops(path, path + path_length);
        submit([cap = cap.get(), call, ops = std::move(ops)]() {
            guarded("ccapnp_call_pipeline (on the loop)", [&] {
                if (!call->hasPipeline) {
                    cap->hook = capnp::newBrokenCap("pipeline unavailable (call cancelled or failed to send)");
                    return;
                }
                auto pipeline = call->pipeline.noop();
                for (uint16_t index : ops) pipeline = pipeline.getPointerField(index);
                cap->hook = pipeline.asCap();
            }, [cap](const kj::Exception &e) { cap->hook = capnp::newBrokenCap(kj::cp(e)); });
        });
        return cap.release();
    }, [](const kj::Exception &) -> ccapnp_cap * { return nullptr; });
}

void ccapnp_call_cancel(ccapnp_call *call) {
    if (call == nullptr) return;
    // If this fails the call is not cancelled, and its completion still comes as it would.
    guarded("ccapnp_call_cancel", [call] { submit([call]() { call->cancel(); }); });
}

void ccapnp_call_release(ccapnp_call *call) {
    if (call == nullptr) return;
    guarded("ccapnp_call_release", [call] {
        // Inside this call's own completion, destroying its promise would free the running
        // continuation: that case waits for a later turn. Otherwise (the usual case: the answer
        // was delivered on an earlier turn) the call goes at once.
        submit([call]() {
            if (!call->inCompletion) {
                call->cancel();
                delete call;
                return;
            }
            loopTasks().add(kj::evalLater([call]() {
                call->cancel();
                delete call;
            }));
        });
    });
}

} // extern "C"
