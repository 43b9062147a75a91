// Server.cpp: one generic Capability::Server whose dispatchCall hands every call to a C
// vtable. An answer given inside the dispatch callback goes straight into the Return (no
// promise, no hop); a later answer fulfils a promise, and dropping that promise (the caller
// cancelled) tells the vtable.

#include "Internal.h"

using namespace ccapnp;

struct ccapnp_server_call {
    enum class State { inDispatch, pending, answered, cancelled };

    // Loop-only. Two owners: the callee (until it answers) and, for asynchronous answers, the
    // promise returned to capnp (until capnp drops it).
    int owners = 1;
    State state = State::inDispatch;
    capnp::CallContext<capnp::AnyPointer, capnp::AnyPointer> context; // valid while unanswered
    ccapnp_message *params = nullptr;
    kj::Own<kj::PromiseFulfiller<void>> fulfiller;
    kj::Maybe<kj::Exception> syncError;
    struct GenericServer *server;
    kj::Own<capnp::ClientHook> serverRef; // keeps the server alive as long as the call

    ccapnp_server_call(capnp::CallContext<capnp::AnyPointer, capnp::AnyPointer> &context,
                       GenericServer *server)
        : context(context), server(server) {
        countUp(kServerCalls);
    }
    ~ccapnp_server_call() {
        ccapnp_message_release(params);
        countDown(kServerCalls);
    }

    void unref() {
        if (--owners == 0) delete this;
    }
};

struct GenericServer final : public capnp::Capability::Server {
    ccapnp_server_vtable vtable;
    void *ctx;

    GenericServer(const ccapnp_server_vtable &vtable, void *ctx) : vtable(vtable), ctx(ctx) {
        countUp(kServers);
    }
    ~GenericServer() noexcept(false) {
        if (vtable.destroy != nullptr) vtable.destroy(ctx);
        countDown(kServers);
    }

    DispatchCallResult dispatchCall(uint64_t interfaceId, uint16_t methodId,
                                    capnp::CallContext<capnp::AnyPointer, capnp::AnyPointer> context) override {
        auto *call = new ccapnp_server_call(context, this);
        call->serverRef = capnp::ClientHook::from(thisCap());
        try {
            call->params = copyOut(context.getParams());
            context.releaseParams();
        } catch (...) {
            delete call;
            throw; // capnp turns it into the call's error
        }
        vtable.dispatch(ctx, interfaceId, methodId, call);

        if (call->state == ccapnp_server_call::State::answered) {
            kj::Promise<void> result = kj::READY_NOW;
            KJ_IF_MAYBE(error, call->syncError) { result = kj::mv(*error); }
            call->unref();
            return {kj::mv(result), false};
        }

        call->state = ccapnp_server_call::State::pending;
        call->owners += 1; // the promise's share
        auto paf = kj::newPromiseAndFulfiller<void>();
        call->fulfiller = kj::mv(paf.fulfiller);
        context.allowCancellation();
        auto promise = paf.promise.attach(kj::defer([call]() {
            if (call->state == ccapnp_server_call::State::pending) {
                // Dropped unanswered: the caller cancelled (or the connection went away).
                call->state = ccapnp_server_call::State::cancelled;
                call->fulfiller = nullptr;
                auto *server = call->server;
                if (server->vtable.cancelled != nullptr) server->vtable.cancelled(server->ctx, call);
            }
            call->unref();
        }));
        return {kj::mv(promise), false};
    }

    kj::Maybe<int> getFd() override {
        if (vtable.get_fd != nullptr) {
            int fd = vtable.get_fd(ctx);
            if (fd >= 0) return fd;
        }
        return nullptr;
    }
};

namespace {

using State = ccapnp_server_call::State;

/// Answers on the loop. `results` or `error` (exactly one is used).
void answer(ccapnp_server_call *call, const PendingMessage *results, kj::Maybe<kj::Exception> error) {
    switch (call->state) {
    case State::inDispatch:
        KJ_IF_MAYBE(e, error) {
            call->syncError = kj::mv(*e);
        } else {
            try {
                results->copyInto(call->context.getResults(results->sizeHint()));
            } catch (...) {
                call->syncError = caughtException(); // the caller's error, not a log line
            }
        }
        call->state = State::answered; // dispatchCall returns it and drops the callee's share
        return;
    case State::pending:
        call->state = State::answered;
        KJ_IF_MAYBE(e, error) {
            call->fulfiller->reject(kj::mv(*e));
        } else {
            try {
                results->copyInto(call->context.getResults(results->sizeHint()));
                call->fulfiller->fulfill();
            } catch (...) {
                call->fulfiller->reject(caughtException()); // the caller's error, not a log line
            }
        }
        break;
    case State::answered:
    case State::cancelled:
        break;
    }
    call->unref();
}

/// Fails `call` with `e` after its answer could not be handed to the loop, so the caller still
/// gets one (FAILED, kind kept). Log-only if this fails too.
void failAfterError(ccapnp_server_call *call, const kj::Exception &e) {
    guarded("answering a server call with its error", [&] {
        submit([call, error = kj::cp(e)]() mutable { answer(call, nullptr, kj::mv(error)); });
    });
}

} // namespace

extern "C" {

ccapnp_cap *ccapnp_server_new(const ccapnp_server_vtable *vtable, void *ctx) {
    if (vtable == nullptr) return nullptr;
    ccapnp_server_vtable copy = *vtable;
    if (copy.dispatch == nullptr) {
        if (copy.destroy != nullptr) copy.destroy(ctx);
        return nullptr;
    }
    // Until the work is handed over, `destroy` is ours to call; then the server's.
    auto fail = [copy, ctx](const kj::Exception &) -> ccapnp_cap * {
        if (copy.destroy != nullptr) copy.destroy(ctx);
        return nullptr;
    };
    return guarded("ccapnp_server_new", [&]() -> ccapnp_cap * {
        requireLoop();
        auto cap = std::make_unique<ccapnp_cap>();
        // No ordering to keep with queued work, so on the loop the cap is made at once: an
        // answer given right away may carry it.
        fillNowOrLater(cap.get(), [copy, ctx]() {
            kj::Own<GenericServer> server;
            try {
                server = kj::heap<GenericServer>(copy, ctx);
            } catch (...) {
                if (copy.destroy != nullptr) copy.destroy(ctx); // never made, so never destroyed
                throw;
            }
            return capnp::ClientHook::from(capnp::Capability::Client(kj::mv(server)));
        });
        return cap.release();
    }, fail);
}

ccapnp_message_view ccapnp_server_call_params(const ccapnp_server_call *call) {
    return ccapnp_message_get_view(call == nullptr ? nullptr : call->params);
}

ccapnp_message *ccapnp_server_call_take_params(ccapnp_server_call *call) {
    if (call == nullptr) return nullptr;
    ccapnp_message *params = call->params;
    call->params = nullptr;
    return params;
}

void ccapnp_server_call_set_pipeline(ccapnp_server_call *call, const ccapnp_message_in *pipeline) {
    if (call == nullptr) return;
    // If this fails, pipelined calls wait for the answer instead: slower, still correct.
    guarded("ccapnp_server_call_set_pipeline", [&] {
        bool inlineOK = canRunInline();
        PendingMessage message(pipeline, !inlineOK);
        submit(inlineOK, [call, message = std::move(message)]() {
            if (call->state != State::inDispatch && call->state != State::pending) return;
            auto size = message.sizeHint();
            auto pair = capnp::_::newPipelineBuilder(static_cast<unsigned>(size.wordCount + 1));
            message.copyInto(pair.root);
            call->context.setPipeline(capnp::AnyPointer::Pipeline(kj::mv(pair.hook)));
        });
    });
}

void ccapnp_server_call_return(ccapnp_server_call *call, const ccapnp_message_in *results) {
    if (call == nullptr) return;
    guarded("ccapnp_server_call_return", [&] {
        // Inside dispatch with nothing queued, this fills the Return directly. With work queued
        // ahead (say the fill-in of a cap these results carry), the answer queues behind it
        // and dispatchCall falls back to a promise.
        bool inlineOK = canRunInline();
        PendingMessage message(results, !inlineOK);
        submit(inlineOK, [call, message = std::move(message)]() { answer(call, &message, nullptr); });
    }, [call](const kj::Exception &e) { failAfterError(call, e); });
}

void ccapnp_server_call_fail(ccapnp_server_call *call, int32_t kind, const char *text,
                             size_t text_length) {
    if (call == nullptr) return;
    guarded("ccapnp_server_call_fail", [&] {
        kj::String reason = text == nullptr ? kj::str("failed") : kj::heapString(text, text_length);
        kj::Exception error(typeOf(kind), __FILE__, __LINE__, kj::mv(reason));
        submit([call, error = kj::mv(error)]() mutable { answer(call, nullptr, kj::mv(error)); });
    }, [call](const kj::Exception &e) { failAfterError(call, e); });
}

} // extern "C"
