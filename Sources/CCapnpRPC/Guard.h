// Guard.h: the one guard every C entry point (and every piece of work run on the loop) goes
// through, so that no C++ exception reaches Swift and none is swallowed unseen: an exception is
// logged, counted, and handed to the entry point's failure path, which delivers the completion
// the header promises (a FAILED error, fd -1, a disconnect, a destroy).

#ifndef CCAPNP_GUARD_H
#define CCAPNP_GUARD_H

#include <kj/exception.h>

#include <utility>

namespace ccapnp {

/// The exception being handled, as a kj::Exception (call only inside a catch block). A
/// std::exception keeps its what(); anything else becomes "unknown exception". Type FAILED
/// unless kj said otherwise.
kj::Exception caughtException() noexcept;

/// Logs (to stderr, through kj's log) that `where` caught `e`, and counts it
/// (ccapnp_debug_counts.caught_exceptions).
void logCaught(const char *where, const kj::Exception &e) noexcept;

/// Runs `body` and returns its value. If it throws, the exception is logged and `onFailure(e)`
/// runs instead and gives the value. If `onFailure` throws too, that is logged and the value
/// is R{} (NULL, 0, nothing): the guard itself never throws.
///
/// Failure paths assume what submit() promises: work that was handed over owns its own
/// completion; work that was not (submit threw) has not run.
template <typename Body, typename OnFailure>
auto guarded(const char *where, Body &&body, OnFailure &&onFailure) noexcept -> decltype(body()) {
    using R = decltype(body());
    try {
        return body();
    } catch (...) {
        kj::Exception e = caughtException();
        logCaught(where, e);
        try {
            return onFailure(e);
        } catch (...) {
            logCaught(where, caughtException());
            return R();
        }
    }
}

/// The guard for work that owes no completion (releases, cancels): logs and returns R{}.
template <typename Body> auto guarded(const char *where, Body &&body) noexcept -> decltype(body()) {
    using R = decltype(body());
    return guarded(where, std::forward<Body>(body), [](const kj::Exception &) { return R(); });
}

// MARK: Fault injection (tests)

enum class Fault { loopStart, submit };
/// True (and counts one down) if the calling thread armed `fault` with ccapnp_debug_inject_fault.
bool takeFault(Fault fault) noexcept;

} // namespace ccapnp

#endif
