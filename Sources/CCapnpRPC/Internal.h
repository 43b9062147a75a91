// Internal.h: C++ side of the shim shared between its files: the handle structs, the loop's
// submit/post machinery and message copying. Never included by the public header.

#ifndef CCAPNP_INTERNAL_H
#define CCAPNP_INTERNAL_H

#include "Guard.h"
#include "ccapnp_rpc.h"

#include <capnp/capability.h>
#include <capnp/message.h>
#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/async-unix.h>
#include <kj/async.h>
#include <kj/debug.h>

#include <atomic>
#include <memory>
#include <utility>
#include <vector>

namespace ccapnp {

// MARK: Live-object counters (debug)

enum Counter { kConnections, kCaps, kCalls, kServerCalls, kMessages, kServers, kCaughtExceptions, kCounterCount };
extern std::atomic<int64_t> gCounts[kCounterCount];
inline void countUp(Counter c) { gCounts[c].fetch_add(1, std::memory_order_relaxed); }
inline void countDown(Counter c) { gCounts[c].fetch_sub(1, std::memory_order_relaxed); }

// MARK: The loop

/// A unit of work queued for the loop thread.
struct Task {
    Task *next = nullptr;
    virtual ~Task() = default;
    virtual void run() = 0;
};

template <typename F> struct FnTask final : Task {
    F fn;
    explicit FnTask(F &&f) : fn(std::move(f)) {}
    void run() override { fn(); }
};

/// Starts the loop if needed; false if it cannot start (or the test fault says so).
bool startLoop();
/// Throws (FAILED) unless the loop runs, so the entry point's guard takes its failure path.
void requireLoop();
bool onLoopThread();
/// True when an operation made now on the loop thread may run at once (nothing queued ahead).
bool canRunInline();
/// Queues `task` (taking it). Throws, deleting the task unrun, if the loop is not running.
void enqueue(Task *task);
/// The loop's task set, for promises nobody else owns (loop thread only).
kj::TaskSet &loopTasks();
/// The loop's epoll port, for watching fds (loop thread only).
kj::UnixEventPort &loopEventPort();
kj::Timer &loopTimer();

/// Hands `fn` to the loop: runs it at once if `inlineOK` (from canRunInline()), otherwise
/// queues it (FIFO). Either the work is handed over, and then it runs under the guard and owns
/// its completion, or submit throws before it ran (its captures are destroyed unrun), and then
/// the caller's guard owns the completion.
template <typename F> void submit(bool inlineOK, F &&fn) {
    if (takeFault(Fault::submit)) throw KJ_EXCEPTION(FAILED, "injected fault: the loop refused work");
    if (inlineOK) {
        guarded("work run on the loop", fn);
        return;
    }
    enqueue(new FnTask<std::decay_t<F>>(std::forward<F>(fn)));
}

template <typename F> void submit(F &&fn) { submit(canRunInline(), std::forward<F>(fn)); }

// MARK: Handle fill-in

/// Sets `cap->hook = make()` on the loop: at once when called there (for caps that depend on
/// no earlier operation), otherwise queued.
template <typename F> void fillNowOrLater(ccapnp_cap *cap, F &&make);

// MARK: Errors

int32_t kindOf(kj::Exception::Type type);
kj::Exception::Type typeOf(int32_t kind);
/// Calls `fn` with the ccapnp_error view of a kj exception.
void withError(const kj::Exception &e, void (*fn)(void *, const ccapnp_error *), void *ctx);

} // namespace ccapnp

// MARK: Handles

struct ccapnp_cap {
    std::atomic<int32_t> refs{1};
    kj::Own<capnp::ClientHook> hook; // loop only; filled on the loop for lazily created caps
    ccapnp_cap() { ccapnp::countUp(ccapnp::kCaps); }
    explicit ccapnp_cap(kj::Own<capnp::ClientHook> &&h) : hook(kj::mv(h)) {
        ccapnp::countUp(ccapnp::kCaps);
    }
    ~ccapnp_cap() { ccapnp::countDown(ccapnp::kCaps); }
};

struct ccapnp_message {
    capnp::MallocMessageBuilder builder;
    std::vector<ccapnp_segment> segments;
    std::vector<ccapnp_cap *> caps;
    /// One of the shared, never-freed empty messages (ccapnp::emptyMessage); release ignores it.
    const bool shared = false;
    explicit ccapnp_message(unsigned firstSegmentWords) : builder(firstSegmentWords) {
        ccapnp::countUp(ccapnp::kMessages);
    }
    /// A shared message of one word (`root`): not counted, since it is never freed.
    explicit ccapnp_message(const capnp::word *root) : builder(1), shared(true) {
        segments.push_back(ccapnp_segment{root, 1});
    }
    ~ccapnp_message() {
        if (!shared) ccapnp::countDown(ccapnp::kMessages);
    }
};

namespace ccapnp {

template <typename F> void fillNowOrLater(ccapnp_cap *cap, F &&make) {
    submit(onLoopThread(), [cap, make = std::forward<F>(make)]() mutable { cap->hook = make(); });
}

/// Copies a capnp value (with its caps) into a new flat message. Loop thread only.
/// A null value or an empty struct (the params or results of most argument-less methods) is
/// not copied: it comes back as a shared one-word message, so it costs no allocation.
ccapnp_message *copyOut(capnp::AnyPointer::Reader src);

/// A message handed in by the caller, made safe to use later on the loop: segments either
/// borrowed until `release` or copied, caps retained.
class PendingMessage {
public:
    PendingMessage() = default;
    /// Captures `in` (may be NULL). `mustOutliveCall`: copy borrowed segments. From here the
    /// caller's `release` is this object's to call, exactly once, also if the constructor throws.
    PendingMessage(const ccapnp_message_in *in, bool mustOutliveCall);
    PendingMessage(PendingMessage &&other) noexcept;
    PendingMessage &operator=(PendingMessage &&other) noexcept;
    ~PendingMessage();
    PendingMessage(const PendingMessage &) = delete;

    /// Size hint for the destination (loop thread).
    capnp::MessageSize sizeHint() const;
    /// Copies the message into `dst`, caps included (loop thread).
    void copyInto(capnp::AnyPointer::Builder dst) const;

private:
    std::vector<kj::ArrayPtr<const capnp::word>> segs;
    kj::Array<capnp::word> owned;
    std::vector<ccapnp_cap *> caps;
    void (*release)(void *) = nullptr;
    void *releaseCtx = nullptr;
    void capture(const ccapnp_message_in *in, bool mustOutliveCall);
    void reset();
};

} // namespace ccapnp

#endif
