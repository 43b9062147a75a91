// WatchedStream.cpp: see WatchedStream.h.

#include "WatchedStream.h"

#include <capnp/rpc.capnp.h>
#include <capnp/serialize.h>

#include <cstring>

using namespace ccapnp;

namespace {

// Whether a message is an rpc Abort, read from its root pointer alone: every message passes
// here and building a reader for each would cost more than the check. A root that is not a
// plain struct pointer into the first segment counts as not an Abort.
bool isAbort(kj::ArrayPtr<const capnp::word> first) {
    if (first.size() < 2) return false;
    uint64_t root;
    memcpy(&root, first.begin(), sizeof root);
    if ((root & 3) != 0 || uint16_t(root >> 32) == 0) return false;
    int64_t at = 1 + (int64_t(int32_t(uint32_t(root))) >> 2);
    if (at < 1 || at >= int64_t(first.size())) return false;
    uint16_t which;
    memcpy(&which, first.begin() + at, sizeof which);
    return which == uint16_t(capnp::rpc::Message::ABORT);
}

struct AbortInfo {
    std::string reason = "(unreadable)";
    bool disconnected = false; // the exception type it carries
};

AbortInfo readAbort(capnp::MessageReader &reader) {
    AbortInfo info;
    kj::runCatchingExceptions([&]() {
        auto abort = reader.getRoot<capnp::rpc::Message>().getAbort();
        auto text = abort.getReason();
        info.reason.assign(text.begin(), text.size());
        info.disconnected = abort.getType() == capnp::rpc::Exception::Type::DISCONNECTED;
    });
    return info;
}

} // namespace

WatchedStream::WatchedStream(int fd, uint32_t idleTimeoutMs)
    : inner(fd), idleTimeout(idleTimeoutMs * kj::MILLISECONDS),
      lastActivity(loopTimer().now()) {
    if (idleTimeoutMs > 0) idleWatch = watchIdle().eagerlyEvaluate(nullptr);
}

void WatchedStream::note(int32_t how, std::string reason) {
    if (!reason_.empty()) return; // the first sign is the cause; the rest follows from it
    // A peer's abort text goes into logs: keep it to one line of sane length.
    constexpr size_t kMaxReason = 1024;
    if (reason.size() > kMaxReason) reason = reason.substr(0, kMaxReason) + "...";
    for (char &c : reason) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    how_ = how;
    reason_ = std::move(reason);
}

void WatchedStream::touch() {
    if (idleTimeout > 0 * kj::MILLISECONDS) lastActivity = loopTimer().now();
}

kj::Exception WatchedStream::idleException() const {
    return kj::Exception(kj::Exception::Type::DISCONNECTED, __FILE__, __LINE__, kj::heapString(reason_.c_str()));
}

kj::Promise<void> WatchedStream::watchIdle() {
    return loopTimer().atTime(lastActivity + idleTimeout).then([this]() -> kj::Promise<void> {
        if (loopTimer().now() - lastActivity < idleTimeout) return watchIdle();
        idleExpired = true;
        note(CCAPNP_ENDED_LOCAL, "no message in either direction for " +
                                     std::to_string(idleTimeout / kj::MILLISECONDS) + " ms (the idle timeout)");
        // The pending read then ends, and tryReadMessage fails the connection with the reason.
        inner.abortRead();
        return kj::READY_NOW;
    });
}

kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> WatchedStream::tryReadMessage(
    kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options,
    kj::ArrayPtr<capnp::word> scratchSpace) {
    // Why a connection ends shows in the Abort this side sends (sawOutgoing), so reads are
    // watched only for the idle timeout: a promise node per message costs about 2% of a call.
    if (idleTimeout == 0 * kj::MILLISECONDS) return inner.tryReadMessage(fdSpace, options, scratchSpace);
    return inner.tryReadMessage(fdSpace, options, scratchSpace)
        .then(
            [this](kj::Maybe<capnp::MessageReaderAndFds> &&message) -> kj::Maybe<capnp::MessageReaderAndFds> {
                if (message != nullptr) {
                    touch();
                } else if (idleExpired) {
                    kj::throwFatalException(idleException());
                }
                return kj::mv(message);
            },
            [this](kj::Exception &&e) -> kj::Maybe<capnp::MessageReaderAndFds> {
                kj::throwFatalException(idleExpired ? idleException() : kj::mv(e));
            });
}

void WatchedStream::sawOutgoing(kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments) {
    touch();
    if (segments.size() == 0 || !isAbort(segments[0])) return;
    // This side's RpcSystem sends an Abort for whatever ends the connection, saying why: the
    // peer's EOF or a broken socket (type DISCONNECTED), a message it refuses (one above the
    // size limit, garbage), or an Abort from the peer, which it quotes as "remote exception".
    capnp::SegmentArrayMessageReader reader(segments);
    auto abort = readAbort(reader);
    static const std::string kRemote = "remote exception: ";
    if (abort.reason.compare(0, kRemote.size(), kRemote) == 0) {
        note(CCAPNP_ENDED_FAILED, "the peer aborted: " + abort.reason.substr(kRemote.size()));
    } else if (!abort.disconnected) {
        note(CCAPNP_ENDED_FAILED, abort.reason);
    } else if (abort.reason == "Peer disconnected.") { // capnp's words for an EOF
        note(CCAPNP_ENDED_PEER, "the peer closed the connection");
    } else {
        note(CCAPNP_ENDED_PEER, "the connection broke: " + abort.reason);
    }
}

kj::Promise<void> WatchedStream::writeMessage(kj::ArrayPtr<const int> fds,
                                              kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments) {
    sawOutgoing(segments);
    return inner.writeMessage(fds, segments);
}

kj::Promise<void> WatchedStream::writeMessages(
    kj::ArrayPtr<kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>>> messages) {
    for (auto &message : messages) sawOutgoing(message);
    return inner.writeMessages(messages);
}

kj::Maybe<int> WatchedStream::getSendBufferSize() { return inner.getSendBufferSize(); }

kj::Promise<void> WatchedStream::end() { return inner.end(); }
