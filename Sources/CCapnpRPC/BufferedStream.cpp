// BufferedStream.cpp: see BufferedStream.h.

#include "BufferedStream.h"

#include <cerrno>
#include <cstring>
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

kj::Exception writeError(int error) {
    // The peer closed or reset its end: a disconnect, not a fault.
    auto type = (error == EPIPE || error == ECONNRESET) ? kj::Exception::Type::DISCONNECTED
                                                         : kj::Exception::Type::FAILED;
    return kj::Exception(type, __FILE__, __LINE__, kj::str("writing to the peer failed: ", strerror(error)));
}

} // namespace

BufferedStream::BufferedStream(kj::AsyncCapabilityStream &stream, int fd)
    : stream(stream), fd(fd), buffer(kj::heapArray<capnp::word>(kBufferBytes / kWordBytes)), tasks(*this) {}

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

kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> BufferedStream::readNext(
    kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options) {
    KJ_IF_MAYBE(frame, parseTable(options)) {
        if (end_ - begin >= frame->bytes()) return kj::Maybe<capnp::MessageReaderAndFds>(takeFrame(*frame, fdSpace, options));
        if (frame->bytes() > kLargeFrameBytes) return readLarge(*frame, fdSpace, options);
    }
    compact();
    return readMore(fdSpace.size()).then(
        [this, fdSpace, options](size_t n) -> kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> {
            if (n == 0) {
                if (begin != end_) {
                    return KJ_EXCEPTION(DISCONNECTED, "the peer closed the connection in the middle of a message");
                }
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
    uint64_t start = bufferOffset + begin;
    begin += frame.bytes();
    return capnp::MessageReaderAndFds{kj::mv(reader), claimFds(start, start + frame.bytes(), fdSpace)};
}

kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> BufferedStream::readLarge(
    const Frame &frame, kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options) {
    const kj::byte *at = bytesOf(buffer) + begin;
    size_t count = size_t(reinterpret_cast<const uint32_t *>(at)[0]) + 1;
    auto sizes = kj::heapArray<uint32_t>(reinterpret_cast<const uint32_t *>(at) + 1, count);
    auto words = kj::heapArray<capnp::word>(frame.totalWords);
    size_t have = end_ - begin - frame.tableBytes;
    memcpy(words.begin(), at + frame.tableBytes, have);
    uint64_t start = bufferOffset + begin;
    auto fds = claimFds(start, start + frame.bytes(), fdSpace);
    // The buffer is empty now; the rest of this frame goes straight into `words`.
    bufferOffset = start + frame.bytes();
    begin = end_ = 0;
    size_t rest = frame.totalWords * kWordBytes - have;
    kj::byte *into = bytesOf(words) + have;
    return stream.tryRead(into, rest, rest)
        .then([rest, options, fds, words = kj::mv(words), sizes = kj::mv(sizes)](
                  size_t n) mutable -> kj::Maybe<capnp::MessageReaderAndFds> {
            if (n < rest) {
                kj::throwFatalException(
                    KJ_EXCEPTION(DISCONNECTED, "the peer closed the connection in the middle of a message"));
            }
            auto reader = kj::heap<FrameReader>(options, kj::mv(words), sizes.begin(), sizes.size());
            return capnp::MessageReaderAndFds{kj::mv(reader), fds};
        });
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
    kj::byte *into = bytesOf(buffer) + end_;
    size_t room = kBufferBytes - end_;
    if (maxFds == 0) return stream.tryRead(into, 1, room); // read(2): cheaper than recvmsg
    if (readFds.size() < maxFds) readFds = kj::heapArray<kj::AutoCloseFd>(maxFds);
    return stream.tryReadWithFds(into, 1, room, readFds.begin(), maxFds)
        .then([this](kj::AsyncCapabilityStream::ReadResult result) {
            if (result.capCount > 0 && result.byteCount > 0) {
                auto fds = kj::heapArray<kj::AutoCloseFd>(result.capCount);
                for (size_t i = 0; i < result.capCount; i++) fds[i] = kj::mv(readFds[i]);
                heldFds.push_back(HeldFds{bufferOffset + end_ + result.byteCount - 1, kj::mv(fds)});
            }
            return result.byteCount;
        });
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
    return drain().then([this, fds, segments]() {
        writing = true;
        return capnp::writeMessage(stream, fds, segments)
            .then([this]() { writeFinished(); },
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
    const auto *data = reinterpret_cast<const kj::byte *>(pending.data());
    size_t size = pending.size() * kWordBytes;
    ssize_t n;
    do {
        // send(2) for MSG_NOSIGNAL; write(2) where the fd is not a socket (a pipe, in tests).
        n = notSocket ? ::write(fd, data, size) : ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == ENOTSOCK && !notSocket) {
            notSocket = true;
            n = ::write(fd, data, size);
        }
    } while (n < 0 && errno == EINTR);
    if (n == ssize_t(size)) {
        pending.clear();
        if (pending.capacity() > kBufferBytes / kWordBytes * 16) pending.shrink_to_fit();
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) return fail(writeError(errno));
        n = 0;
    }
    // The socket is full: kj writes the rest when it drains; later messages queue behind.
    auto held = kj::heap<std::vector<uint64_t>>(std::move(pending));
    pending = std::vector<uint64_t>();
    const kj::byte *rest = reinterpret_cast<const kj::byte *>(held->data()) + n;
    writing = true;
    tasks.add(stream.write(rest, size - size_t(n)).attach(kj::mv(held)).then([this]() { writeFinished(); }));
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
    flush();
    if (writing || writeFailure != nullptr) return;
    auto waiting = std::move(drainers);
    drainers.clear();
    for (auto &drainer : waiting) drainer->fulfill();
}

void BufferedStream::fail(kj::Exception &&e) {
    writing = false;
    pending.clear();
    if (writeFailure == nullptr) writeFailure = kj::cp(e);
    auto waiting = std::move(drainers);
    drainers.clear();
    for (auto &drainer : waiting) drainer->reject(kj::cp(e));
    // A connection that cannot write is over: end the read side too, so nothing waits on it.
    kj::runCatchingExceptions([this]() { stream.abortRead(); });
}

void BufferedStream::taskFailed(kj::Exception &&e) { fail(kj::mv(e)); }

kj::Maybe<int> BufferedStream::getSendBufferSize() {
    int size = 0;
    socklen_t length = sizeof size;
    if (::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, &length) != 0) return nullptr;
    return size;
}

kj::Promise<void> BufferedStream::end() {
    return drain().then([this]() { stream.shutdownWrite(); });
}
