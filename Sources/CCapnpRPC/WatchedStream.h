// WatchedStream.h: the message stream under a connection's TwoPartyVatNetwork. It passes every
// message through to a BufferedStream and remembers why the connection ended: the RpcSystem says so in the Abort it
// sends for any ending (the peer's EOF, a broken socket, a refused message such as one above the
// size limit, the peer's own Abort), and the RpcSystem tells nobody else. With an idle timeout it
// also closes a connection that carried no message for that long (the idle reason comes first).

#ifndef CCAPNP_WATCHED_STREAM_H
#define CCAPNP_WATCHED_STREAM_H

#include "BufferedStream.h"
#include "Internal.h"

#include <capnp/serialize-async.h>

#include <string>

namespace ccapnp {

class WatchedStream final : public capnp::MessageStream {
public:
    /// `idleTimeoutMs` 0 means no timeout. Loop thread only, like everything below.
    /// Takes `fd`, a connected unix stream socket.
    WatchedStream(int fd, uint32_t idleTimeoutMs);

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

private:
    void note(int32_t how, std::string reason);
    void sawOutgoing(kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments);
    void touch();
    kj::Promise<void> watchIdle();
    kj::Exception idleException() const;

    BufferedStream inner;
    kj::Duration idleTimeout;
    kj::TimePoint lastActivity;
    bool idleExpired = false;
    int32_t how_ = CCAPNP_ENDED_PEER;
    std::string reason_;
    kj::Promise<void> idleWatch = nullptr;
};

} // namespace ccapnp

#endif
