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

/// What a served call costs beyond its bytes (its answer table entry, the server's task).
constexpr size_t kPerCallBytes = 1024;

/// The kind of an rpc Message and, for a Call, Bootstrap or Return, its question id.
struct Kind {
    uint16_t which = 0xffff; // not known
    uint32_t id = 0;
};

/// Read from the first segment alone where its pointers are plain (what capnp writes); nullptr
/// otherwise, and the caller reads it the slow way.
kj::Maybe<Kind> quickKind(kj::ArrayPtr<const capnp::word> first) {
    auto wordAt = [&](int64_t i) {
        uint64_t w;
        memcpy(&w, first.begin() + i, sizeof w);
        return w;
    };
    if (first.size() < 2) return nullptr;
    uint64_t root = wordAt(0);
    if ((root & 3) != 0) return nullptr;
    int64_t at = 1 + (int64_t(int32_t(uint32_t(root))) >> 2);
    uint16_t dataWords = uint16_t(root >> 32), pointers = uint16_t(root >> 48);
    if (dataWords == 0 || at < 1 || at + dataWords + pointers > int64_t(first.size())) return nullptr;
    Kind kind;
    memcpy(&kind.which, first.begin() + at, sizeof kind.which);
    using M = capnp::rpc::Message;
    if (kind.which != uint16_t(M::CALL) && kind.which != uint16_t(M::BOOTSTRAP) && kind.which != uint16_t(M::RETURN)) {
        return kind;
    }
    if (pointers == 0) return nullptr;
    int64_t pointerAt = at + dataWords;
    uint64_t body = wordAt(pointerAt);
    if ((body & 3) != 0 || uint16_t(body >> 32) == 0) return nullptr;
    int64_t bodyAt = pointerAt + 1 + (int64_t(int32_t(uint32_t(body))) >> 2);
    if (bodyAt < 1 || bodyAt >= int64_t(first.size())) return nullptr;
    memcpy(&kind.id, first.begin() + bodyAt, sizeof kind.id); // questionId / answerId: bits 0-31
    return kind;
}

Kind messageKind(capnp::MessageReader &reader) {
    Kind kind;
    kj::runCatchingExceptions([&]() {
        auto message = reader.getRoot<capnp::rpc::Message>();
        kind.which = uint16_t(message.which());
        switch (message.which()) {
        case capnp::rpc::Message::CALL: kind.id = message.getCall().getQuestionId(); break;
        case capnp::rpc::Message::BOOTSTRAP: kind.id = message.getBootstrap().getQuestionId(); break;
        case capnp::rpc::Message::RETURN: kind.id = message.getReturn().getAnswerId(); break;
        default: break;
        }
    });
    return kind;
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

WatchedStream::WatchedStream(int fd, Limits limits)
    : inner(fd, this), limits(limits), idleTimeout(limits.idleTimeoutMs * kj::MILLISECONDS),
      lastActivity(loopTimer().now()) {
    if (limits.idleTimeoutMs > 0) idleWatch = watchIdle().eagerlyEvaluate(nullptr);
    if (limits.handshakeTimeoutMs > 0) {
        handshakeWatch = loopTimer()
                             .afterDelay(limits.handshakeTimeoutMs * kj::MILLISECONDS)
                             .then([this]() {
                                 if (completedCall_) return;
                                 expire("no call completed within " + std::to_string(this->limits.handshakeTimeoutMs) +
                                        " ms of connecting (the handshake deadline)");
                             })
                             .eagerlyEvaluate(nullptr);
    }
}

void WatchedStream::expire(std::string reason) {
    note(CCAPNP_ENDED_LOCAL, std::move(reason));
    // The pending read then fails with the reason, and the RpcSystem ends the connection.
    inner.abortRead(kj::Exception(kj::Exception::Type::DISCONNECTED, __FILE__, __LINE__,
                                  kj::heapString(reason_.c_str())));
}

void WatchedStream::completed() {
    if (completedCall_) return;
    completedCall_ = true;
    handshakeWatch = nullptr;
    if (onCompletedCall) onCompletedCall();
}

void WatchedStream::received(kj::ArrayPtr<const capnp::word> first, size_t bytes) {
    touch();
    if (limits.maxHeldBytes == 0 && completedCall_) return;
    Kind kind;
    KJ_IF_MAYBE(quick, quickKind(first)) {
        kind = *quick;
    } else {
        capnp::SegmentArrayMessageReader reader(kj::arrayPtr(&first, 1));
        kind = messageKind(reader);
    }
    using M = capnp::rpc::Message;
    if (kind.which == uint16_t(M::RETURN)) {
        completed();
    } else if (limits.maxHeldBytes > 0 && (kind.which == uint16_t(M::CALL) || kind.which == uint16_t(M::BOOTSTRAP))) {
        size_t cost = bytes + kPerCallBytes;
        auto &entry = served[kind.id];
        servedBytes += cost - entry; // a reused id replaces (the RpcSystem refuses it anyway)
        entry = cost;
    }
}

void WatchedStream::queueShrank() {
    if (inner.queuedBytes() == 0) answersQueued = 0;
    if (roomWaiter.get() != nullptr && heldBytes() <= limits.maxHeldBytes) {
        roomWaiter->fulfill();
        roomWaiter = nullptr;
    }
}

kj::Maybe<kj::Promise<void>> WatchedStream::holdReading() {
    if (limits.maxHeldBytes == 0 || heldBytes() <= limits.maxHeldBytes) return nullptr;
    auto paf = kj::newPromiseAndFulfiller<void>();
    roomWaiter = kj::mv(paf.fulfiller);
    return kj::mv(paf.promise);
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

kj::Promise<void> WatchedStream::watchIdle() {
    return loopTimer().atTime(lastActivity + idleTimeout).then([this]() -> kj::Promise<void> {
        if (loopTimer().now() - lastActivity < idleTimeout) return watchIdle();
        expire("no message in either direction for " + std::to_string(idleTimeout / kj::MILLISECONDS) +
               " ms (the idle timeout)");
        return kj::READY_NOW;
    });
}

kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> WatchedStream::tryReadMessage(
    kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options,
    kj::ArrayPtr<capnp::word> scratchSpace) {
    // Messages are seen through received(), synchronously: a promise node per message would
    // cost about 2% of a call.
    return inner.tryReadMessage(fdSpace, options, scratchSpace);
}

void WatchedStream::sawOutgoing(kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments) {
    touch();
    if (segments.size() == 0) return;
    if (limits.maxHeldBytes > 0 || !completedCall_) {
        Kind kind;
        KJ_IF_MAYBE(quick, quickKind(segments[0])) {
            kind = *quick;
        } else {
            capnp::SegmentArrayMessageReader reader(segments);
            kind = messageKind(reader);
        }
        if (kind.which == uint16_t(capnp::rpc::Message::RETURN)) {
            completed();
            if (limits.maxHeldBytes > 0) {
                for (auto &segment : segments) answersQueued += segment.size() * sizeof(capnp::word);
            }
            auto entry = served.find(kind.id);
            if (entry != served.end()) {
                servedBytes -= entry->second;
                served.erase(entry);
            }
            return;
        }
    }
    if (!isAbort(segments[0])) return;
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
    auto written = inner.writeMessage(fds, segments);
    queueShrank(); // an answer's call no longer counts; with the answer queued, is there room?
    return written;
}

kj::Promise<void> WatchedStream::writeMessages(
    kj::ArrayPtr<kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>>> messages) {
    for (auto &message : messages) sawOutgoing(message);
    auto written = inner.writeMessages(messages);
    queueShrank();
    return written;
}

kj::Maybe<int> WatchedStream::getSendBufferSize() { return inner.getSendBufferSize(); }

kj::Promise<void> WatchedStream::end() { return inner.end(); }
