// Message.cpp: moving messages across the C boundary. In: the caller's flat segments are read
// with a SegmentArrayMessageReader whose caps come from a ReaderCapabilityTable of the caller's
// handles, then copied into the capnp builder. Out: a value is copied into a fresh builder
// through a BuilderCapabilityTable, whose entries become new cap handles.

#include "Internal.h"

#include <climits>
#include <cstring>

namespace ccapnp {

PendingMessage::PendingMessage(const ccapnp_message_in *in, bool mustOutliveCall) {
    if (in == nullptr) return;
    // The release is ours from here, even if capturing fails: reset() gives it back exactly once.
    release = in->release;
    releaseCtx = in->release_ctx;
    try {
        capture(in, mustOutliveCall);
    } catch (...) {
        reset();
        throw;
    }
}

void PendingMessage::capture(const ccapnp_message_in *in, bool mustOutliveCall) {
    segs.reserve(in->segment_count);
    if (mustOutliveCall && in->release == nullptr) {
        size_t total = 0;
        for (size_t i = 0; i < in->segment_count; ++i) total += in->segments[i].words;
        owned = kj::heapArray<capnp::word>(total);
        size_t offset = 0;
        for (size_t i = 0; i < in->segment_count; ++i) {
            size_t words = in->segments[i].words;
            if (words != 0) {
                std::memcpy(owned.begin() + offset, in->segments[i].data, words * sizeof(capnp::word));
            }
            segs.push_back(kj::arrayPtr(owned.begin() + offset, words));
            offset += words;
        }
    } else {
        for (size_t i = 0; i < in->segment_count; ++i) {
            segs.push_back(kj::arrayPtr(static_cast<const capnp::word *>(in->segments[i].data),
                                        in->segments[i].words));
        }
    }
    caps.reserve(in->cap_count);
    for (size_t i = 0; i < in->cap_count; ++i) {
        ccapnp_cap *cap = in->caps[i];
        if (cap != nullptr) cap->refs.fetch_add(1, std::memory_order_relaxed);
        caps.push_back(cap);
    }
}

PendingMessage::PendingMessage(PendingMessage &&other) noexcept
    : segs(std::move(other.segs)), owned(kj::mv(other.owned)), caps(std::move(other.caps)),
      release(other.release), releaseCtx(other.releaseCtx) {
    other.release = nullptr;
    other.caps.clear();
}

PendingMessage &PendingMessage::operator=(PendingMessage &&other) noexcept {
    if (this != &other) {
        reset();
        segs = std::move(other.segs);
        owned = kj::mv(other.owned);
        caps = std::move(other.caps);
        release = other.release;
        releaseCtx = other.releaseCtx;
        other.release = nullptr;
        other.caps.clear();
    }
    return *this;
}

PendingMessage::~PendingMessage() { reset(); }

void PendingMessage::reset() {
    for (ccapnp_cap *cap : caps) {
        if (cap != nullptr) ccapnp_cap_release(cap);
    }
    caps.clear();
    segs.clear();
    owned = nullptr;
    if (release != nullptr) {
        auto fn = release;
        release = nullptr;
        fn(releaseCtx);
    }
}

capnp::MessageSize PendingMessage::sizeHint() const {
    uint64_t words = 0;
    for (auto &s : segs) words += s.size();
    return capnp::MessageSize{words + 4, static_cast<unsigned>(caps.size())};
}

void PendingMessage::copyInto(capnp::AnyPointer::Builder dst) const {
    if (segs.empty() || segs[0].size() == 0) return; // no root word: a null root
    // The caller's own message: trusted as far as size goes, still bounds-checked by capnp.
    capnp::ReaderOptions options;
    options.traversalLimitInWords = UINT64_MAX;
    options.nestingLimit = INT_MAX;
    capnp::SegmentArrayMessageReader reader(kj::arrayPtr(segs.data(), segs.size()), options);
    auto root = reader.getRoot<capnp::AnyPointer>();
    if (caps.empty()) {
        dst.set(root);
        return;
    }
    auto table = kj::heapArrayBuilder<kj::Maybe<kj::Own<capnp::ClientHook>>>(caps.size());
    for (ccapnp_cap *cap : caps) {
        if (cap != nullptr && cap->hook.get() != nullptr) {
            table.add(cap->hook->addRef());
        } else {
            // An empty slot, never a broken cap (that would go out as a real export): Swift writes
            // a null pointer for a nil capability, so a pointer to this slot fails the copy with
            // capnp's "invalid capability pointer", a typed error for the caller.
            table.add(nullptr);
        }
    }
    capnp::ReaderCapabilityTable capTable(table.finish());
    dst.set(capTable.imbue(root));
}

namespace {

/// The shared message whose root is `root` (a null pointer, or the canonical empty struct
/// pointer: offset -1, no data, no pointers). Immutable and never freed, so any thread may read it.
ccapnp_message *sharedMessage(bool emptyStruct) {
    alignas(8) static const unsigned char nullWord[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    alignas(8) static const unsigned char emptyStructWord[8] = {0xfc, 0xff, 0xff, 0xff, 0, 0, 0, 0};
    static ccapnp_message *const null = new ccapnp_message(reinterpret_cast<const capnp::word *>(nullWord));
    static ccapnp_message *const empty =
        new ccapnp_message(reinterpret_cast<const capnp::word *>(emptyStructWord));
    return emptyStruct ? empty : null;
}

} // namespace

ccapnp_message *copyOut(capnp::AnyPointer::Reader src) {
    switch (src.getPointerType()) {
    case capnp::PointerType::NULL_:
        return sharedMessage(false);
    case capnp::PointerType::STRUCT: {
        auto value = src.getAs<capnp::AnyStruct>();
        if (value.getDataSection().size() == 0 && value.getPointerSection().size() == 0) {
            return sharedMessage(true);
        }
        break;
    }
    default:
        break;
    }
    // No targetSize() to size the copy: it would charge the incoming message's traversal
    // limit a second time, halving the size limit. Small messages fit the first segment;
    // capnp gives a large object a segment of its own.
    auto *message = new ccapnp_message(64);
    try {
        capnp::BuilderCapabilityTable capTable;
        capTable.imbue(message->builder.getRoot<capnp::AnyPointer>()).set(src);
        auto segments = message->builder.getSegmentsForOutput();
        message->segments.reserve(segments.size());
        for (auto segment : segments) {
            message->segments.push_back(ccapnp_segment{segment.begin(), segment.size()});
        }
        auto table = capTable.getTable();
        message->caps.reserve(table.size());
        for (auto &entry : table) {
            ccapnp_cap *cap = nullptr;
            KJ_IF_MAYBE(hook, entry) { cap = new ccapnp_cap(kj::mv(*hook)); }
            entry = nullptr;
            message->caps.push_back(cap);
        }
    } catch (...) {
        ccapnp_message_release(message);
        throw;
    }
    return message;
}

} // namespace ccapnp

using namespace ccapnp;

extern "C" {

ccapnp_message_view ccapnp_message_get_view(const ccapnp_message *message) {
    ccapnp_message_view view{nullptr, 0, nullptr, 0};
    if (message == nullptr) return view;
    view.segments = message->segments.data();
    view.segment_count = message->segments.size();
    view.caps = message->caps.data();
    view.cap_count = message->caps.size();
    return view;
}

void ccapnp_message_release(ccapnp_message *message) {
    if (message == nullptr || message->shared) return;
    guarded("ccapnp_message_release", [message] {
        for (ccapnp_cap *cap : message->caps) {
            if (cap != nullptr) ccapnp_cap_release(cap);
        }
        delete message;
    });
}

} // extern "C"
