// WatchedStream.h: the message stream under a connection's TwoPartyVatNetwork. It passes every
// message through to a BufferedStream and remembers why the connection ended: the RpcSystem says so in the Abort it
// sends for any ending (the peer's EOF, a broken socket, a refused message such as one above the
// size limit, the peer's own Abort), and the RpcSystem tells nobody else. With an idle timeout it
// also closes a connection that carried no message for that long (the idle reason comes first).
//
// It also bounds what the peer makes us hold: our answers to it still queued plus the calls it
// made that are not answered yet (their size and a fixed cost each). Past the bound the next
// message from that peer waits until it reads or our answers go out; other connections are not
// affected. Our own calls in the queue do not count: a client with much to send must go on
// reading its answers, or both sides would wait for each other.
// And with a handshake deadline, a connection on which no call completed (a Return in either
// direction, the Bootstrap's included) within that time after it opened is closed.

#ifndef CCAPNP_WATCHED_STREAM_H
#define CCAPNP_WATCHED_STREAM_H

#include "BufferedStream.h"
#include "Internal.h"

#include <capnp/serialize-async.h>

#include <functional>
#include <string>
#include <unordered_map>

namespace ccapnp {

class WatchedStream final : public capnp::MessageStream, private BufferedStream::Observer {
public:
    struct Limits {
        uint32_t idleTimeoutMs = 0;      // 0: none
        uint32_t handshakeTimeoutMs = 0; // 0: none
        uint64_t maxHeldBytes = 0;       // 0: no bound
    };
    /// Loop thread only, like everything below. Takes `fd`, a connected unix stream socket.
    WatchedStream(int fd, Limits limits);

    kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> tryReadMessage(
        kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options,
        kj::ArrayPtr<capnp::word> scratchSpace) override;
    kj::Promise<void> writeMessage(kj::ArrayPtr<const int> fds,
                                   kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments) override;
    kj::Promise<void> writeMessages(
        kj::ArrayPtr<kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>>> messages) override;
    kj::Maybe<int> getSendBufferSize() override;
    kj::Promise<void> end() override;

    /// How and why the connection ended as far as seen (CCAPNP_ENDED_*); `reason` is empty
    /// while nothing was seen.
    int32_t how() const { return how_; }
    const std::string &reason() const { return reason_; }
    /// Whether a call completed on this connection (a Return went either way).
    bool completedCall() const { return completedCall_; }
    /// What the peer makes us hold now: answers queued for it plus its unanswered calls, in bytes.
    size_t heldBytes() const { return answersQueued + servedBytes; }
    /// Set by the owner; runs once, when the first call completes.
    std::function<void()> onCompletedCall;

private:
    void note(int32_t how, std::string reason);
    void sawOutgoing(kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments);
    void touch();
    kj::Promise<void> watchIdle();
    void expire(std::string reason);
    void completed();

    // BufferedStream::Observer
    void received(kj::ArrayPtr<const capnp::word> first, size_t bytes) override;
    void queueShrank() override;
    kj::Maybe<kj::Promise<void>> holdReading() override;

    BufferedStream inner;
    Limits limits;
    kj::Duration idleTimeout;
    kj::TimePoint lastActivity;
    int32_t how_ = CCAPNP_ENDED_PEER;
    std::string reason_;
    kj::Promise<void> idleWatch = nullptr;
    kj::Promise<void> handshakeWatch = nullptr;
    bool completedCall_ = false;
    // The peer's questions (calls, bootstraps) not answered yet: id -> what each holds.
    std::unordered_map<uint32_t, size_t> served;
    size_t servedBytes = 0;
    // Bytes of answers written since the output queue was last empty: all of them may still be
    // in it (counting them until it empties is simple and errs towards holding back).
    size_t answersQueued = 0;
    kj::Own<kj::PromiseFulfiller<void>> roomWaiter; // a read held back until there is room
};

} // namespace ccapnp

#endif
