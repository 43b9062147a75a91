// Capability.cpp: capability handles and outgoing calls. A call is typelessRequest-style
// (ClientHook::newCall with the interface and method IDs); its RemotePromise is split into the
// result promise, which delivers the completion callback, and the pipeline, which serves
// ccapnp_call_pipeline.

#include "Internal.h"

#include <fcntl.h>
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

void sendOnLoop(ccapnp_call *call, kj::Own<capnp::ClientHook> target, uint64_t interfaceId,
                uint16_t methodId, const PendingMessage &params) {
    try {
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
                                    } catch (kj::Exception &e) {
                                        call->finishWithError(e);
                                        return;
                                    }
                                    call->finishWithResults(results);
                                },
                                [call](kj::Exception &&e) { call->finishWithError(e); })
                            .eagerlyEvaluate(nullptr);
    } catch (kj::Exception &e) {
        // Deliver on a later turn like any other completion.
        auto error = kj::mv(e);
        call->promise = kj::evalLater([call, error = kj::mv(error)]() mutable {
                            call->finishWithError(error);
                        }).eagerlyEvaluate(nullptr);
    }
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
    try {
        submit([cap]() { delete cap; });
    } catch (...) {
    }
}

ccapnp_cap *ccapnp_cap_new_broken(int32_t kind, const char *text) {
    try {
        if (!startLoop()) return nullptr;
        auto *cap = new ccapnp_cap;
        kj::String reason = kj::str(text == nullptr ? "broken capability" : text);
        fillNowOrLater(cap, [kind, reason = kj::mv(reason)]() mutable {
            return capnp::newBrokenCap(
                kj::Exception(typeOf(kind), __FILE__, __LINE__, kj::mv(reason)));
        });
        return cap;
    } catch (...) {
        return nullptr;
    }
}

ccapnp_cap *ccapnp_cap_new_fd(int fd) {
    try {
        if (!startLoop()) {
            close(fd);
            return nullptr;
        }
        auto *cap = new ccapnp_cap;
        fillNowOrLater(cap, [fd]() {
            return capnp::ClientHook::from(capnp::Capability::Client(kj::heap<FdServer>(fd)));
        });
        return cap;
    } catch (...) {
        return nullptr;
    }
}

void ccapnp_cap_get_brand(ccapnp_cap *cap, ccapnp_brand_fn done, void *ctx) {
    try {
        if (!startLoop()) return done(ctx, nullptr);
        ccapnp_cap_retain(cap);
        submit([cap, done, ctx]() {
            const void *brand = cap->hook.get() != nullptr ? cap->hook->getBrand() : nullptr;
            ccapnp_cap_release(cap);
            done(ctx, brand);
        });
    } catch (...) {
    }
}

const void *ccapnp_cap_brand_on_loop(ccapnp_cap *cap) {
    if (cap == nullptr || !onLoopThread() || cap->hook.get() == nullptr) return nullptr;
    return cap->hook->getBrand();
}

void ccapnp_cap_get_fd(ccapnp_cap *cap, ccapnp_fd_fn done, void *ctx) {
    try {
        if (!startLoop()) return;
        ccapnp_cap_retain(cap);
        submit([cap, done, ctx]() {
            capnp::Capability::Client client(hookOrBroken(cap));
            ccapnp_cap_release(cap);
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
        });
    } catch (...) {
    }
}

ccapnp_call *ccapnp_call_send(ccapnp_cap *target, uint64_t interface_id, uint16_t method_id,
                              const ccapnp_message_in *params, ccapnp_call_done_fn done, void *ctx) {
    try {
        if (!startLoop()) return nullptr;
        auto *call = new ccapnp_call(done, ctx);
        bool inlineOK = canRunInline();
        if (inlineOK) {
            PendingMessage message(params, false);
            sendOnLoop(call, hookOrBroken(target), interface_id, method_id, message);
        } else {
            ccapnp_cap_retain(target);
            PendingMessage message(params, true);
            submit(false, [call, target, interface_id, method_id, message = std::move(message)]() {
                auto hook = hookOrBroken(target);
                ccapnp_cap_release(target);
                sendOnLoop(call, kj::mv(hook), interface_id, method_id, message);
            });
        }
        return call;
    } catch (...) {
        return nullptr;
    }
}

ccapnp_cap *ccapnp_call_pipeline(ccapnp_call *call, const uint16_t *path, size_t path_length) {
    try {
        if (call == nullptr) return nullptr;
        auto *cap = new ccapnp_cap;
        std::vector<uint16_t> ops(path, path + path_length);
        submit([cap, call, ops = std::move(ops)]() {
            try {
                if (!call->hasPipeline) {
                    cap->hook = capnp::newBrokenCap("pipeline unavailable (call cancelled or failed to send)");
                    return;
                }
                auto pipeline = call->pipeline.noop();
                for (uint16_t index : ops) pipeline = pipeline.getPointerField(index);
                cap->hook = pipeline.asCap();
            } catch (kj::Exception &e) {
                cap->hook = capnp::newBrokenCap(kj::mv(e));
            }
        });
        return cap;
    } catch (...) {
        return nullptr;
    }
}

void ccapnp_call_cancel(ccapnp_call *call) {
    if (call == nullptr) return;
    try {
        submit([call]() { call->cancel(); });
    } catch (...) {
    }
}

void ccapnp_call_release(ccapnp_call *call) {
    if (call == nullptr) return;
    try {
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
    } catch (...) {
    }
}

} // extern "C"
