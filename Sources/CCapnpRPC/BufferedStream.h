// BufferedStream.h: the framing under a connection. A capnp::MessageStream over the socket that
// reads as many messages as have arrived with one syscall, and writes the messages of one loop
// turn together (in 4 KiB batches). capnp's own stream reads each message with two syscalls
// and writes each with one; with many calls in flight those syscalls are most of what a call
// costs.
//
// The bytes on the wire are the standard stream framing, so any Cap'n Proto peer reads them.
//
// Fds: a message with fds is sent on its own, so its fds ride on its first byte. Linux ends a
// read on a unix socket right after the data that carried fds, so fds that arrive with a read
// belong to the message holding the last byte of that read.
//
// It does its own syscalls on the socket rather than use kj's stream, which watches every fd for
// writability too: with edge-triggered epoll each message the peer reads then wakes this side
// for nothing. Here the socket is watched for writing only while a write waits for room, and a
// read that drained the socket waits for the next data instead of trying again at once.
//
// Memory: a frame larger than the buffer grows as its bytes arrive, so a peer that announces
// 63 MiB and stalls costs what it sent. An Observer sees each message taken and each shrink of
// the output queue, and may hold reading back (WatchedStream bounds what a peer makes us hold).

#ifndef CCAPNP_BUFFERED_STREAM_H
#define CCAPNP_BUFFERED_STREAM_H

#include "Internal.h"

#include <capnp/serialize-async.h>
#include <kj/async-unix.h>
#include <kj/io.h>

#include <cstdint>
#include <sys/uio.h>
#include <vector>

namespace ccapnp {

class BufferedStream final : public capnp::MessageStream, private kj::TaskSet::ErrorHandler {
public:
    /// What the stream tells its owner, synchronously, on the loop.
    class Observer {
    public:
        /// A whole message of `bytes` (framing included) was taken; `first` is its first segment.
        virtual void received(kj::ArrayPtr<const capnp::word> first, size_t bytes) = 0;
        /// queuedBytes() went down.
        virtual void queueShrank() = 0;
        /// Asked before each read: a promise to wait for before reading on, or nullptr to read now.
        virtual kj::Maybe<kj::Promise<void>> holdReading() = 0;

    protected:
        ~Observer() = default;
    };

    /// Takes `fd`, a connected unix stream socket. Loop thread only, like everything below.
    explicit BufferedStream(int fd, Observer *observer = nullptr);
    ~BufferedStream() noexcept(false);

    /// Ends reading as if the peer had closed: a pending read returns EOF, or fails with
    /// `reason` when given.
    void abortRead(kj::Maybe<kj::Exception> reason = nullptr);

    /// Output accepted but not yet handed to the kernel, in bytes.
    size_t queuedBytes() const { return pending.size() * sizeof(capnp::word) + inFlightBytes + loneBytes; }

    kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> tryReadMessage(
        kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options,
        kj::ArrayPtr<capnp::word> scratchSpace) override;
    kj::Promise<void> writeMessage(kj::ArrayPtr<const int> fds,
                                   kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments) override;
    kj::Promise<void> writeMessages(
        kj::ArrayPtr<kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>>> messages) override;
    kj::Maybe<int> getSendBufferSize() override;
    kj::Promise<void> end() override;

private:
    struct Frame {
        size_t tableBytes;
        uint64_t totalWords;
        size_t bytes() const { return tableBytes + totalWords * sizeof(capnp::word); }
    };
    struct HeldFds {
        uint64_t at; // stream offset of the last byte read with them
        kj::Array<kj::AutoCloseFd> fds;
    };

    // Reading.
    kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> readNext(kj::ArrayPtr<kj::AutoCloseFd> fdSpace,
                                                                 capnp::ReaderOptions options);
    kj::Maybe<Frame> parseTable(const capnp::ReaderOptions &options) const;
    capnp::MessageReaderAndFds takeFrame(const Frame &frame, kj::ArrayPtr<kj::AutoCloseFd> fdSpace,
                                         capnp::ReaderOptions options);
    kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> readLarge(
        const Frame &frame, kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options);
    struct LargeFrame;
    kj::Promise<kj::Own<LargeFrame>> readLargeRest(kj::Own<LargeFrame> large);
    kj::Exception endedEarly() const;
    kj::ArrayPtr<kj::AutoCloseFd> claimFds(uint64_t start, uint64_t end, kj::ArrayPtr<kj::AutoCloseFd> fdSpace);
    void compact();
    kj::Promise<size_t> readMore(size_t maxFds);
    /// One read into `into`; -1 when there is nothing yet. Fds are kept (as arriving with the
    /// buffer's end) only with `maxFds` > 0.
    ssize_t receive(kj::byte *into, size_t room, size_t maxFds);
    void drained();
    kj::Promise<void> whenReadable();

    // Writing.
    void appendFrame(kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments);
    void scheduleFlush();
    void flush();
    kj::Promise<void> sendAll(kj::Array<struct iovec> pieces, size_t first, kj::ArrayPtr<const int> fds);
    ssize_t sendSome(kj::ArrayPtr<struct iovec> pieces, kj::ArrayPtr<const int> fds);
    kj::Promise<void> whenWritable();
    kj::Promise<void> drain();
    void writeFinished();
    void fail(kj::Exception &&e);
    void taskFailed(kj::Exception &&e) override;

    kj::AutoCloseFd ownedFd; // first: closed after the observers below are gone
    int fd;
    Observer *observer;
    bool readAborted = false;
    kj::Maybe<kj::Exception> readAbort; // why abortRead ended reading, if it said
    kj::Own<kj::PromiseFulfiller<void>> heldRead; // wakes a read the observer holds back
    bool notSocket = false;
    kj::UnixEventPort::FdObserver readObserver;
    bool readable = true; // false after a read that drained the socket: wait before the next
    kj::Maybe<kj::Promise<void>> dataArrives; // the wait, begun when the socket was drained
    // While a write waits for room: a watcher of a dup of the fd (one fd has one epoll entry).
    kj::AutoCloseFd writeFd;
    kj::Own<kj::UnixEventPort::FdObserver> writeObserver;

    kj::Array<capnp::word> buffer;
    size_t begin = 0, end_ = 0; // unread bytes of `buffer`
    uint64_t bufferOffset = 0;  // stream offset of buffer[0]
    std::vector<HeldFds> heldFds;

    std::vector<uint64_t> pending; // whole frames not yet handed to the kernel
    bool writing = false;          // a send is waiting for room (or a lone message is going out)
    size_t inFlightBytes = 0;      // of a queue the kernel took only part of, not yet sent
    size_t loneBytes = 0;          // of messages written on their own, not yet sent
    bool flushQueued = false;
    kj::Maybe<kj::Exception> writeFailure;
    std::vector<kj::Own<kj::PromiseFulfiller<void>>> drainers;
    kj::TaskSet tasks;
};

} // namespace ccapnp

#endif
