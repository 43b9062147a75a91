// Loop.cpp: the process's one kj event loop on a dedicated thread, and the cross-thread queue
// into it. Other threads push tasks on a lock-free stack and wake the loop through an eventfd
// only when the stack was empty, so a burst of calls costs one wake-up.

#include "Internal.h"

#include <kj/async-unix.h>

#include <condition_variable>
#include <mutex>

#include <errno.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace ccapnp {

std::atomic<int64_t> gCounts[kCounterCount];

namespace {

/// Work posted on the loop thread for a later turn (ccapnp_post from the loop): one kj event
/// armed breadth-first, like evalLater, but with no promise, task or allocation per post.
class LaterQueue final : public kj::_::Event {
public:
    void post(void (*fn)(void *), void *ctx) {
        if (pending.empty()) armBreadthFirst();
        pending.push_back({fn, ctx});
    }

    void traceEvent(kj::_::TraceBuilder &) override {}

protected:
    kj::Maybe<kj::Own<kj::_::Event>> fire() override {
        // Posts made while these run go to the next turn, as evalLater's would.
        running.swap(pending);
        for (auto &item : running) guarded("ccapnp_post work", [&] { item.fn(item.ctx); });
        running.clear();
        return nullptr;
    }

private:
    struct Item {
        void (*fn)(void *);
        void *ctx;
    };
    std::vector<Item> pending, running;
};

struct LoopState {
    int eventFd = -1;
    std::atomic<Task *> head{nullptr};
    // Tasks pushed and not yet started. Decremented before a task runs, so work done inside a
    // task sees only what is really queued behind it.
    std::atomic<int64_t> pending{0};
    kj::TaskSet *tasks = nullptr;
    kj::UnixEventPort *eventPort = nullptr;
    kj::Timer *timer = nullptr;
    LaterQueue *later = nullptr; // loop thread only
    /// Set if the loop thread stopped after starting: nothing queued from then on can run.
    std::atomic<bool> dead{false};
};

// Leaked on purpose: the loop thread runs until the process exits, so nothing may be torn
// down by static destructors underneath it.
LoopState *gLoop = nullptr;
thread_local bool tIsLoop = false;

struct LoggingErrorHandler final : kj::TaskSet::ErrorHandler {
    void taskFailed(kj::Exception &&exception) override {
        if (exception.getType() != kj::Exception::Type::DISCONNECTED) {
            KJ_LOG(ERROR, "ccapnp loop task failed", exception);
        }
    }
};

void wake() {
    uint64_t one = 1;
    while (write(gLoop->eventFd, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

void drain() {
    uint64_t value;
    while (read(gLoop->eventFd, &value, sizeof value) < 0 && errno == EINTR) {
    }
    // Bounded so that a flood of submissions cannot starve I/O; leftovers re-wake the loop.
    for (int batch = 0; batch < 16; ++batch) {
        Task *list = gLoop->head.exchange(nullptr, std::memory_order_acquire);
        if (list == nullptr) return;
        Task *ordered = nullptr; // the stack is LIFO; reverse to submission order
        while (list != nullptr) {
            Task *next = list->next;
            list->next = ordered;
            ordered = list;
            list = next;
        }
        while (ordered != nullptr) {
            Task *task = ordered;
            ordered = task->next;
            gLoop->pending.fetch_sub(1, std::memory_order_acq_rel);
            guarded("queued work on the loop", [task] { task->run(); });
            guarded("freeing queued work", [task] { delete task; });
        }
    }
    if (gLoop->head.load(std::memory_order_acquire) != nullptr) wake();
}

struct StartSync {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    bool ok = false;
};

void *loopMain(void *arg) {
    auto *sync = static_cast<StartSync *>(arg);
    tIsLoop = true;
    pthread_setname_np(pthread_self(), "capnp-loop");
    try {
        auto io = kj::setupAsyncIo();
        LoggingErrorHandler errorHandler;
        kj::TaskSet tasks(errorHandler);
        LaterQueue later;
        kj::UnixEventPort::FdObserver observer(io.unixEventPort, gLoop->eventFd,
                                               kj::UnixEventPort::FdObserver::OBSERVE_READ);
        gLoop->tasks = &tasks;
        gLoop->later = &later;
        gLoop->eventPort = &io.unixEventPort;
        gLoop->timer = &io.provider->getTimer();
        {
            std::lock_guard<std::mutex> lock(sync->mutex);
            sync->ok = true;
            sync->done = true;
        }
        sync->cv.notify_one();
        drain(); // anything submitted before we were ready
        for (;;) {
            observer.whenBecomesReadable().wait(io.waitScope);
            drain();
        }
    } catch (...) {
        // Before the start: the start fails. After it: the loop is dead and enqueue says so.
        logCaught("the loop thread", caughtException());
        gLoop->dead.store(true, std::memory_order_release);
        std::lock_guard<std::mutex> lock(sync->mutex);
        sync->done = true;
    }
    sync->cv.notify_one();
    return nullptr;
}

bool startOnce() {
    gLoop = new LoopState;
    gLoop->eventFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (gLoop->eventFd < 0) return false;
    auto *sync = new StartSync; // leaked if the thread outlives a failed start; tiny
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, loopMain, sync);
    pthread_attr_destroy(&attr);
    if (rc != 0) return false;
    std::unique_lock<std::mutex> lock(sync->mutex);
    sync->cv.wait(lock, [&] { return sync->done; });
    return sync->ok;
}

} // namespace

bool startLoop() {
    if (takeFault(Fault::loopStart)) return false;
    static const bool started = startOnce(); // thread-safe lazy start
    return started;
}

void requireLoop() {
    if (!startLoop()) throw KJ_EXCEPTION(FAILED, "the capnp event loop thread could not start");
}

bool onLoopThread() { return tIsLoop; }

bool canRunInline() {
    return tIsLoop && gLoop->pending.load(std::memory_order_acquire) == 0;
}

void enqueue(Task *task) {
    // Unrun work is deleted and the caller's guard delivers the completion it would have.
    if (!startLoop()) {
        delete task;
        throw KJ_EXCEPTION(FAILED, "the capnp event loop thread could not start; the work was not queued");
    }
    if (gLoop->dead.load(std::memory_order_acquire)) {
        delete task;
        throw KJ_EXCEPTION(FAILED, "the capnp event loop thread has stopped; the work was not queued");
    }
    gLoop->pending.fetch_add(1, std::memory_order_acq_rel);
    Task *head = gLoop->head.load(std::memory_order_relaxed);
    do {
        task->next = head;
    } while (!gLoop->head.compare_exchange_weak(head, task, std::memory_order_release,
                                                std::memory_order_relaxed));
    if (head == nullptr) wake();
}

kj::TaskSet &loopTasks() { return *gLoop->tasks; }
kj::UnixEventPort &loopEventPort() { return *gLoop->eventPort; }
kj::Timer &loopTimer() { return *gLoop->timer; }

int32_t kindOf(kj::Exception::Type type) {
    switch (type) {
    case kj::Exception::Type::FAILED: return CCAPNP_FAILED;
    case kj::Exception::Type::OVERLOADED: return CCAPNP_OVERLOADED;
    case kj::Exception::Type::DISCONNECTED: return CCAPNP_DISCONNECTED;
    case kj::Exception::Type::UNIMPLEMENTED: return CCAPNP_UNIMPLEMENTED;
    }
    return CCAPNP_FAILED;
}

kj::Exception::Type typeOf(int32_t kind) {
    if (kind == CCAPNP_OVERLOADED) return kj::Exception::Type::OVERLOADED;
    if (kind == CCAPNP_DISCONNECTED) return kj::Exception::Type::DISCONNECTED;
    if (kind == CCAPNP_UNIMPLEMENTED) return kj::Exception::Type::UNIMPLEMENTED;
    return kj::Exception::Type::FAILED;
}

void withError(const kj::Exception &e, void (*fn)(void *, const ccapnp_error *), void *ctx) {
    kj::StringPtr description = e.getDescription();
    static const kj::StringPtr remotePrefix = "remote exception: "_kj;
    int32_t remote = 0;
    if (description.startsWith(remotePrefix)) {
        description = description.slice(remotePrefix.size());
        remote = 1;
    }
    ccapnp_error error{kindOf(e.getType()), remote, description.cStr(), description.size()};
    fn(ctx, &error);
}

} // namespace ccapnp

using namespace ccapnp;

extern "C" {

int32_t ccapnp_loop_start(void) {
    return guarded("ccapnp_loop_start", [] { return startLoop() ? 0 : -1; },
                   [](const kj::Exception &) { return -1; });
}

int32_t ccapnp_on_loop_thread(void) { return tIsLoop ? 1 : 0; }

int32_t ccapnp_post(void (*fn)(void *ctx), void *ctx) {
    return guarded("ccapnp_post", [&] {
        requireLoop();
        if (takeFault(Fault::submit)) throw KJ_EXCEPTION(FAILED, "injected fault: the loop refused work");
        if (canRunInline()) {
            // Already on the loop with nothing queued: a later turn keeps "never inline" without
            // paying for an eventfd write.
            gLoop->later->post(fn, ctx);
            return 0;
        }
        auto run = [fn, ctx]() { fn(ctx); };
        enqueue(new FnTask<decltype(run)>(std::move(run)));
        return 0;
    }, [](const kj::Exception &) { return -1; });
}

ccapnp_debug_counts ccapnp_debug_get_counts(void) {
    ccapnp_debug_counts c;
    c.connections = gCounts[kConnections].load();
    c.caps = gCounts[kCaps].load();
    c.calls = gCounts[kCalls].load();
    c.server_calls = gCounts[kServerCalls].load();
    c.messages = gCounts[kMessages].load();
    c.servers = gCounts[kServers].load();
    c.caught_exceptions = gCounts[kCaughtExceptions].load();
    return c;
}

} // extern "C"
