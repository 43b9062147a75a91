// Guard.cpp: turning any caught exception into a kj::Exception, logging and counting it, and
// the per-thread fault switches tests use to reach the failure paths.

#include "Guard.h"
#include "Internal.h"

#include <kj/debug.h>

#include <exception>

namespace ccapnp {

kj::Exception caughtException() noexcept {
    try {
        throw;
    } catch (kj::Exception &e) {
        return kj::cp(e);
    } catch (std::exception &e) {
        return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__, kj::str(e.what()));
    } catch (...) {
        return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__, kj::str("unknown exception"));
    }
}

void logCaught(const char *where, const kj::Exception &e) noexcept {
    countUp(kCaughtExceptions);
    try {
        KJ_LOG(ERROR, "ccapnp: exception caught at the C boundary", where, e.getDescription());
    } catch (...) {
        // Logging failed too; the counter still says it happened.
    }
}

namespace {
thread_local int32_t tFaults[2] = {0, 0};
}

bool takeFault(Fault fault) noexcept {
    int32_t &armed = tFaults[static_cast<int>(fault)];
    if (armed <= 0) return false;
    armed -= 1;
    return true;
}

} // namespace ccapnp

extern "C" void ccapnp_debug_inject_fault(int32_t fault, int32_t count) {
    if (fault == CCAPNP_FAULT_LOOP_START) ccapnp::tFaults[0] = count;
    if (fault == CCAPNP_FAULT_SUBMIT) ccapnp::tFaults[1] = count;
}
