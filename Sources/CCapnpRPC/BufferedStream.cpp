// BufferedStream.cpp: see BufferedStream.h.

#include "BufferedStream.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace ccapnp;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the frame table is copied as is");

namespace {

constexpr size_t kWordBytes = sizeof(capnp::word);
constexpr size_t kBufferBytes = 64 * 1024;
/// Frames above this are read straight into an array of their own.
constexpr size_t kLargeFrameBytes = kBufferBytes / 2;
/// A turn's queue is sent once it holds this much, not only at the end of the turn: the peer
/// starts on the first answers while this side makes the rest. Holding a whole turn (100
/// answers in scripts/bench P2) left the two processes taking turns on the CPU; 2-4 KiB gave
/// about twice the throughput of 16 KiB or more there.
constexpr size_t kFlushBytes = 4 * 1024;
/// Messages above this are written on their own, uncopied.
constexpr size_t kCoalesceBytes = 16 * 1024;
/// Fds one read or send carries at most (beyond what a connection takes, they are closed).
constexpr size_t kMaxFds = 16;
/// capnp's own limit on segments per message.
constexpr uint64_t kMaxSegments = 512;

/// A received message: its segments back to back in one array.
class FrameReader final : public capnp::MessageReader {
public:
    /// `sizes`: the segment sizes in words, from the frame's table.
    FrameReader(capnp::ReaderOptions options, kj::Array<capnp::word> words, const uint32_t *sizes,
                size_t count)
        : capnp::MessageReader(options), words(kj::mv(words)) {
        if (count == 1) {
            first = this->words.asPtr();
            return;
        }
        more = kj::heapArray<kj::ArrayPtr<const capnp::word>>(count);
        const capnp::word *at = this->words.begin();
        for (size_t i = 0; i < count; i++) {
            more[i] = kj::arrayPtr(at, sizes[i]);
            at += sizes[i];
        }
    }

    kj::ArrayPtr<const capnp::word> getSegment(uint id) override {
        if (more.size() == 0) return id == 0 ? first : nullptr;
        return id < more.size() ? more[id] : nullptr;
    }

private:
    kj::Array<capnp::word> words;
    kj::ArrayPtr<const capnp::word> first;             // one segment (the usual case)
    kj::Array<kj::ArrayPtr<const capnp::word>> more;   // or several
};

kj::byte *bytesOf(kj::Array<capnp::word> &words) { return reinterpret_cast<kj::byte *>(words.begin()); }

kj::Exception ioError(const char *what, int error) {
    // The peer closed or reset its end: a disconnect, not a fault.
    bool gone = error == EPIPE || error == ECONNRESET || error == ENOTCONN;
    auto type = gone ? kj::Exception::Type::DISCONNECTED : kj::Exception::Type::FAILED;
    return kj::Exception(type, __FILE__, __LINE__, kj::str(what, " the peer failed: ", strerror(error)));
}

kj::Exception writeError(int error) { return ioError("writing to", error); }

int takeSocket(int fd) {
    // Non-blocking, for the event loop; close-on-exec, so that children do not inherit it.
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        int error = errno;
        close(fd);
        kj::throwFatalException(ioError("setting up the socket to", error));
    }
    return fd;
}

} // namespace

BufferedStream::BufferedStream(int fd, Observer *observer)
    : ownedFd(takeSocket(fd)), fd(fd), observer(observer),
      readObserver(loopEventPort(), fd, kj::UnixEventPort::FdObserver::OBSERVE_READ),
      buffer(kj::heapArray<capnp::word>(kBufferBytes / kWordBytes)), tasks(*this) {}

void BufferedStream::abortRead(kj::Maybe<kj::Exception> reason) {
    if (readAbort == nullptr) readAbort = kj::mv(reason);
    readAborted = true;
    // A read held back for room would wait for ever on a connection that is ending.
    if (heldRead.get() != nullptr) heldRead->fulfill();
    ::shutdown(fd, SHUT_RD);
    readable = true; // the next read returns EOF at once
}

BufferedStream::~BufferedStream() noexcept(false) {
    // Best effort for what the last turn queued (say the Finish of a call that is being
    // dropped with the connection): whatever the kernel takes now.
    if (!writing && writeFailure == nullptr && !pending.empty()) {
        (void)::send(fd, pending.data(), pending.size() * kWordBytes, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
}

// MARK: Reading

kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> BufferedStream::tryReadMessage(
    kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options, kj::ArrayPtr<capnp::word>) {
    return readNext(fdSpace, options);
}

kj::Maybe<BufferedStream::Frame> BufferedStream::parseTable(const capnp::ReaderOptions &options) const {
    size_t available = end_ - begin;
    if (available < kWordBytes) return nullptr;
    const auto *table = reinterpret_cast<const uint32_t *>(reinterpret_cast<const kj::byte *>(buffer.begin()) + begin);
    uint64_t count = uint64_t(table[0]) + 1;
    KJ_REQUIRE(count <= kMaxSegments, "Message has too many segments.", count);
    size_t tableBytes = size_t((count + 2) / 2) * kWordBytes;
    if (available < tableBytes) return nullptr;
    uint64_t totalWords = 0;
    for (uint64_t i = 0; i < count; i++) totalWords += table[1 + i];
    KJ_REQUIRE(totalWords <= options.traversalLimitInWords,
               "Message is too large. To increase the limit on the receiving end, see capnp::ReaderOptions.");
    return Frame{tableBytes, totalWords};
}

kj::Exception BufferedStream::endedEarly() const {
    KJ_IF_MAYBE(e, readAbort) { return kj::cp(*e); }
    return KJ_EXCEPTION(DISCONNECTED, "the peer closed the connection in the middle of a message");
}

kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> BufferedStream::readNext(
    kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options) {
    if (observer != nullptr && !readAborted) {
        KJ_IF_MAYBE(wait, observer->holdReading()) {
            // What this peer made us hold is above its bound: its next message waits (until
            // there is room, or reading is aborted).
            auto paf = kj::newPromiseAndFulfiller<void>();
            heldRead = kj::mv(paf.fulfiller);
            return wait->exclusiveJoin(kj::mv(paf.promise)).then([this, fdSpace, options]() {
                heldRead = nullptr;
                return readNext(fdSpace, options);
            });
        }
    }
    KJ_IF_MAYBE(frame, parseTable(options)) {
        if (end_ - begin >= frame->bytes()) return kj::Maybe<capnp::MessageReaderAndFds>(takeFrame(*frame, fdSpace, options));
        if (frame->bytes() > kLargeFrameBytes) return readLarge(*frame, fdSpace, options);
    }
    compact();
    return readMore(fdSpace.size()).then(
        [this, fdSpace, options](size_t n) -> kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> {
            if (n == 0) {
                if (begin != end_) return endedEarly();
                KJ_IF_MAYBE(e, readAbort) { return kj::cp(*e); }
                KJ_IF_MAYBE(e, writeFailure) {
                    if (e->getType() != kj::Exception::Type::DISCONNECTED) return kj::cp(*e);
                }
                return kj::Maybe<capnp::MessageReaderAndFds>(nullptr); // a clean end
            }
            end_ += n;
            return readNext(fdSpace, options);
        });
}

capnp::MessageReaderAndFds BufferedStream::takeFrame(const Frame &frame, kj::ArrayPtr<kj::AutoCloseFd> fdSpace,
                                                     capnp::ReaderOptions options) {
    const kj::byte *at = bytesOf(buffer) + begin;
    const auto *table = reinterpret_cast<const uint32_t *>(at);
    auto words = kj::heapArray<capnp::word>(frame.totalWords);
    memcpy(words.begin(), at + frame.tableBytes, frame.totalWords * kWordBytes);
    auto reader = kj::heap<FrameReader>(options, kj::mv(words), table + 1, size_t(table[0]) + 1);
    if (observer != nullptr) observer->received(reader->getSegment(0), frame.bytes());
    uint64_t start = bufferOffset + begin;
    begin += frame.bytes();
    return capnp::MessageReaderAndFds{kj::mv(reader), claimFds(start, start + frame.bytes(), fdSpace)};
}

/// A frame read past the buffer: its words so far, in an array that grows as they arrive.
struct BufferedStream::LargeFrame {
    kj::Array<uint32_t> sizes;
    kj::Array<capnp::word> words; // capacity; the first `filled` bytes are the frame's
    size_t filled = 0;
    size_t total = 0;
    kj::ArrayPtr<kj::AutoCloseFd> fds;
};

kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> BufferedStream::readLarge(
    const Frame &frame, kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options) {
    const kj::byte *at = bytesOf(buffer) + begin;
    size_t count = size_t(reinterpret_cast<const uint32_t *>(at)[0]) + 1;
    auto large = kj::heap<LargeFrame>();
    large->sizes = kj::heapArray<uint32_t>(reinterpret_cast<const uint32_t *>(at) + 1, count);
    large->total = frame.totalWords * kWordBytes;
    large->filled = end_ - begin - frame.tableBytes;
    // Room for what came and as much again, not for what the table announces: a peer that
    // announces 63 MiB and stalls costs what it sent.
    size_t capacity = kj::min(large->total, kj::max(large->filled * 2, kBufferBytes)) / kWordBytes;
    large->words = kj::heapArray<capnp::word>(capacity);
    memcpy(large->words.begin(), at + frame.tableBytes, large->filled);
    uint64_t start = bufferOffset + begin;
    large->fds = claimFds(start, start + frame.bytes(), fdSpace);
    // The buffer is empty now; the rest of this frame goes straight into `words`.
    bufferOffset = start + frame.bytes();
    begin = end_ = 0;
    size_t bytes = frame.bytes();
    return readLargeRest(kj::mv(large)).then([this, options, bytes](kj::Own<LargeFrame> large) {
        auto reader = kj::heap<FrameReader>(options, kj::mv(large->words), large->sizes.begin(), large->sizes.size());
        if (observer != nullptr) observer->received(reader->getSegment(0), bytes);
        return kj::Maybe<capnp::MessageReaderAndFds>(capnp::MessageReaderAndFds{kj::mv(reader), large->fds});
    });
}

kj::Promise<kj::Own<BufferedStream::LargeFrame>> BufferedStream::readLargeRest(kj::Own<LargeFrame> large) {
    while (large->filled < large->total) {
        if (!readable) {
            return whenReadable().then([this, large = kj::mv(large)]() mutable {
                readable = true;
                return readLargeRest(kj::mv(large));
            });
        }
        size_t capacity = large->words.size() * kWordBytes;
        if (large->filled == capacity) {
            size_t grown = kj::min(large->total, capacity * 2) / kWordBytes;
            auto words = kj::heapArray<capnp::word>(grown);
            memcpy(words.begin(), large->words.begin(), large->filled);
            large->words = kj::mv(words);
            capacity = grown * kWordBytes;
        }
        ssize_t n = receive(bytesOf(large->words) + large->filled, capacity - large->filled, 0);
        if (n < 0) continue; // nothing there yet: `readable` is false now
        if (n == 0) return endedEarly();
        large->filled += size_t(n);
    }
    return kj::mv(large);
}

kj::ArrayPtr<kj::AutoCloseFd> BufferedStream::claimFds(uint64_t start, uint64_t end,
                                                       kj::ArrayPtr<kj::AutoCloseFd> fdSpace) {
    size_t claimed = 0;
    while (!heldFds.empty() && heldFds.front().at < end) {
        auto &held = heldFds.front();
        // Fds whose message ended already, or a second set for this one, come from a peer
        // that does not frame like capnp; they are closed.
        if (held.at >= start && claimed == 0) {
            for (auto &fd : held.fds) {
                if (claimed == fdSpace.size()) break;
                fdSpace[claimed++] = kj::mv(fd);
            }
        }
        heldFds.erase(heldFds.begin());
    }
    return fdSpace.slice(0, claimed);
}

void BufferedStream::compact() {
    if (begin == end_) {
        bufferOffset += begin;
        begin = end_ = 0;
    } else if (kBufferBytes - end_ < kLargeFrameBytes) {
        // Keeps room for the rest of any frame that is not read on its own.
        memmove(bytesOf(buffer), bytesOf(buffer) + begin, end_ - begin);
        bufferOffset += begin;
        end_ -= begin;
        begin = 0;
    }
}

kj::Promise<size_t> BufferedStream::readMore(size_t maxFds) {
    if (readable) {
        ssize_t n = receive(bytesOf(buffer) + end_, kBufferBytes - end_, maxFds);
        if (n >= 0) return size_t(n);
    }
    // The socket is drained: wait for data (edge-triggered, so only now).
    return whenReadable().then([this, maxFds]() {
        readable = true;
        return readMore(maxFds);
    });
}

void BufferedStream::drained() {
    readable = false;
    // Watched from now, in this turn: epoll reports each arrival once (edge-triggered), and a
    // report that comes while nobody waits is lost.
    if (dataArrives == nullptr) dataArrives = readObserver.whenBecomesReadable();
}

kj::Promise<void> BufferedStream::whenReadable() {
    KJ_IF_MAYBE(waiting, dataArrives) {
        auto promise = kj::mv(*waiting);
        dataArrives = nullptr;
        return promise;
    }
    return readObserver.whenBecomesReadable();
}

ssize_t BufferedStream::receive(kj::byte *into, size_t room, size_t maxFds) {
    // Always recvmsg with room for fds, even where none are wanted: a read that brings fds
    // stops right after them (data may follow), and fds nobody wants must still be closed.
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int) * kMaxFds)];
    } control;
    struct iovec piece = {into, room};
    struct msghdr message;
    ssize_t n;
    do {
        memset(&message, 0, sizeof message);
        message.msg_iov = &piece;
        message.msg_iovlen = 1;
        message.msg_control = control.space;
        message.msg_controllen = sizeof control.space;
        n = ::recvmsg(fd, &message, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) kj::throwFatalException(ioError("reading from", errno));
        drained();
        return -1;
    }
    kj::Vector<kj::AutoCloseFd> fds;
    for (auto *cmsg = CMSG_FIRSTHDR(&message); cmsg != nullptr; cmsg = CMSG_NXTHDR(&message, cmsg)) {
        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int received;
            memcpy(&received, CMSG_DATA(cmsg) + i * sizeof(int), sizeof received);
            fds.add(kj::AutoCloseFd(received)); // closed unless kept below
        }
    }
    // A short read with nothing but data drained the socket, unless the peer has closed (then
    // the next read says 0): wait for new data before reading again.
    bool onlyData = message.msg_controllen == 0 && (message.msg_flags & MSG_CTRUNC) == 0;
    if (onlyData && n > 0 && size_t(n) < room && readObserver.atEndHint().orDefault(true) == false) drained();
    if (fds.size() > 0 && n > 0 && maxFds > 0) {
        while (fds.size() > maxFds) fds.removeLast();
        heldFds.push_back(HeldFds{bufferOffset + end_ + size_t(n) - 1, fds.releaseAsArray()});
    }
    return n;
}

// MARK: Writing

void BufferedStream::appendFrame(kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments) {
    size_t count = segments.size();
    size_t tableWords = (count + 2) / 2;
    size_t total = tableWords;
    for (auto &segment : segments) total += segment.size();
    size_t at = pending.size();
    pending.resize(at + total); // zero-filled, so the table's padding is zero
    auto *table = reinterpret_cast<uint32_t *>(pending.data() + at);
    table[0] = uint32_t(count - 1);
    for (size_t i = 0; i < count; i++) table[1 + i] = uint32_t(segments[i].size());
    uint64_t *into = pending.data() + at + tableWords;
    for (auto &segment : segments) {
        memcpy(into, segment.begin(), segment.size() * kWordBytes);
        into += segment.size();
    }
}

kj::Promise<void> BufferedStream::writeMessage(kj::ArrayPtr<const int> fds,
                                               kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments) {
    KJ_IF_MAYBE(e, writeFailure) { return kj::cp(*e); }
    KJ_REQUIRE(segments.size() > 0 && segments.size() <= kMaxSegments, "a message has 1 to 512 segments");
    size_t bytes = (segments.size() + 2) / 2 * kWordBytes;
    for (auto &segment : segments) bytes += segment.size() * kWordBytes;
    if (fds.size() == 0 && bytes <= kCoalesceBytes) {
        appendFrame(segments);
        if (pending.size() * kWordBytes >= kFlushBytes) flush();
        scheduleFlush();
        return kj::READY_NOW;
    }
    // On its own, after everything queued before it: fds must ride on the message's first
    // byte, and a large message is not worth copying.
    loneBytes += bytes;
    return drain().then([this, fds, segments, bytes]() {
        auto table = kj::heapArray<uint32_t>((segments.size() + 2) / 2 * 2);
        table[0] = uint32_t(segments.size() - 1);
        for (size_t i = 0; i < segments.size(); i++) table[1 + i] = uint32_t(segments[i].size());
        if (segments.size() % 2 == 0) table[segments.size() + 1] = 0;
        auto pieces = kj::heapArray<struct iovec>(segments.size() + 1);
        pieces[0] = {table.begin(), table.size() * sizeof(uint32_t)};
        for (size_t i = 0; i < segments.size(); i++) {
            pieces[1 + i] = {const_cast<capnp::word *>(segments[i].begin()), segments[i].size() * kWordBytes};
        }
        writing = true;
        return sendAll(kj::mv(pieces), 0, fds)
            .attach(kj::mv(table))
            .then([this, bytes]() {
                      loneBytes -= kj::min(loneBytes, bytes); // fail() may have zeroed it
                      writeFinished();
                  },
                  [this](kj::Exception &&e) {
                      fail(kj::cp(e));
                      kj::throwFatalException(kj::mv(e));
                  });
    });
}

kj::Promise<void> BufferedStream::writeMessages(
    kj::ArrayPtr<kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>>> messages) {
    KJ_IF_MAYBE(e, writeFailure) { return kj::cp(*e); }
    for (auto &segments : messages) {
        KJ_REQUIRE(segments.size() > 0 && segments.size() <= kMaxSegments, "a message has 1 to 512 segments");
        appendFrame(segments);
    }
    scheduleFlush();
    return kj::READY_NOW;
}

void BufferedStream::scheduleFlush() {
    if (flushQueued) return;
    flushQueued = true;
    // After everything else this turn: the messages of the turn go out together.
    tasks.add(kj::evalLast([this]() {
        flushQueued = false;
        flush();
    }));
}

void BufferedStream::flush() {
    if (writing || pending.empty() || writeFailure != nullptr) return;
    size_t size = pending.size() * kWordBytes;
    struct iovec whole = {pending.data(), size};
    ssize_t n;
    KJ_IF_MAYBE(e, kj::runCatchingExceptions([&]() { n = sendSome(kj::arrayPtr(&whole, 1), nullptr); })) {
        return fail(kj::mv(*e));
    }
    if (n == ssize_t(size)) {
        pending.clear();
        if (pending.capacity() > kBufferBytes / kWordBytes * 16) pending.shrink_to_fit();
        if (observer != nullptr) observer->queueShrank();
        return;
    }
    // The socket is full: the rest goes when it has room; later messages queue behind.
    auto held = kj::heap<std::vector<uint64_t>>(std::move(pending));
    pending = std::vector<uint64_t>();
    size_t sent = n < 0 ? 0 : size_t(n);
    auto rest = kj::heapArray<struct iovec>(1);
    rest[0] = {reinterpret_cast<kj::byte *>(held->data()) + sent, size - sent};
    inFlightBytes = size - sent;
    writing = true;
    tasks.add(whenWritable()
                  .then([this, rest = kj::mv(rest)]() mutable { return sendAll(kj::mv(rest), 0, nullptr); })
                  .attach(kj::mv(held))
                  .then([this]() { writeFinished(); }));
}

ssize_t BufferedStream::sendSome(kj::ArrayPtr<struct iovec> pieces, kj::ArrayPtr<const int> fds) {
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int) * kMaxFds)];
    } control;
    KJ_REQUIRE(fds.size() <= kMaxFds, "at most 16 fds per message");
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = pieces.begin();
    message.msg_iovlen = kj::min(pieces.size(), size_t(IOV_MAX));
    if (fds.size() > 0) {
        memset(&control, 0, sizeof control);
        message.msg_control = control.space;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        auto *cmsg = CMSG_FIRSTHDR(&message);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        memcpy(CMSG_DATA(cmsg), fds.begin(), sizeof(int) * fds.size());
    }
    ssize_t n;
    do {
        // sendmsg(2) for MSG_NOSIGNAL; writev(2) where the fd is not a socket (a pipe, in tests).
        n = notSocket ? ::writev(fd, message.msg_iov, int(message.msg_iovlen))
                      : ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == ENOTSOCK && !notSocket) {
            notSocket = true;
            n = ::writev(fd, message.msg_iov, int(message.msg_iovlen));
        }
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) kj::throwFatalException(writeError(errno));
    return n;
}

kj::Promise<void> BufferedStream::sendAll(kj::Array<struct iovec> pieces, size_t first, kj::ArrayPtr<const int> fds) {
    while (first < pieces.size()) {
        ssize_t n = sendSome(pieces.slice(first, pieces.size()), fds);
        if (n <= 0) {
            // Full: wait for room, then go on (the fds still go with the first byte sent).
            return whenWritable().then([this, pieces = kj::mv(pieces), first, fds]() mutable {
                return sendAll(kj::mv(pieces), first, fds);
            });
        }
        fds = nullptr;
        size_t sent = size_t(n);
        while (first < pieces.size() && sent >= pieces[first].iov_len) sent -= pieces[first++].iov_len;
        if (first < pieces.size()) {
            pieces[first].iov_base = static_cast<kj::byte *>(pieces[first].iov_base) + sent;
            pieces[first].iov_len -= sent;
        }
    }
    return kj::READY_NOW;
}

kj::Promise<void> BufferedStream::whenWritable() {
    if (writeObserver.get() == nullptr) {
        int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (copy < 0) return writeError(errno);
        writeFd = kj::AutoCloseFd(copy);
        writeObserver = kj::heap<kj::UnixEventPort::FdObserver>(loopEventPort(), copy,
                                                                kj::UnixEventPort::FdObserver::OBSERVE_WRITE);
    }
    return writeObserver->whenBecomesWritable();
}

kj::Promise<void> BufferedStream::drain() {
    flush();
    KJ_IF_MAYBE(e, writeFailure) { return kj::cp(*e); }
    if (!writing) return kj::READY_NOW;
    auto paf = kj::newPromiseAndFulfiller<void>();
    drainers.push_back(kj::mv(paf.fulfiller));
    return kj::mv(paf.promise);
}

void BufferedStream::writeFinished() {
    writing = false;
    inFlightBytes = 0;
    flush();
    if (observer != nullptr) observer->queueShrank();
    if (writing || writeFailure != nullptr) return;
    // Not watched for room while nothing waits for it (each read by the peer would wake us).
    writeObserver = nullptr;
    writeFd = nullptr;
    auto waiting = std::move(drainers);
    drainers.clear();
    for (auto &drainer : waiting) drainer->fulfill();
}

void BufferedStream::fail(kj::Exception &&e) {
    writing = false;
    pending.clear();
    inFlightBytes = loneBytes = 0;
    if (writeFailure == nullptr) writeFailure = kj::cp(e);
    auto waiting = std::move(drainers);
    drainers.clear();
    for (auto &drainer : waiting) drainer->reject(kj::cp(e));
    // A connection that cannot write is over: end the read side too, so nothing waits on it.
    abortRead();
}

void BufferedStream::taskFailed(kj::Exception &&e) { fail(kj::mv(e)); }

kj::Maybe<int> BufferedStream::getSendBufferSize() {
    int size = 0;
    socklen_t length = sizeof size;
    if (::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &length) != 0) return nullptr;
    return size;
}

kj::Promise<void> BufferedStream::end() {
    return drain().then([this]() { ::shutdown(fd, SHUT_WR); });
}
