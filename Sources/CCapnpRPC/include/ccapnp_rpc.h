// ccapnp_rpc.h: a plain C API over the Cap'n Proto C++ RPC runtime (libcapnp-rpc 0.9).
//
// Swift never sees a C++ type. Messages cross this boundary as flat segments plus a
// capability table of opaque handles; everything else is an opaque, reference-counted handle.
//
// THREADING
//
// One kj event loop per process runs on a dedicated thread ("the loop"), started lazily by
// the first entry point (or ccapnp_loop_start). Every capnp object lives on the loop. Every
// entry point may be called from any thread and never blocks on the loop:
//
//   * Called ON the loop thread, an operation runs immediately (0 hops), unless operations
//     submitted earlier from other threads are still queued, in which case it queues behind
//     them so operations keep the order in which they were made. (Creating a server, fd or
//     broken cap depends on nothing earlier and always happens at once on the loop.)
//   * Called from another thread, it is pushed on a lock-free queue and the loop is woken
//     with an eventfd (exactly 1 hop). Handles it returns (calls, pipelined capabilities,
//     bootstrap capabilities, servers) are usable at once; the loop fills them in, in order.
//   * Completions (call results, disconnects, fds, server dispatch) are C callbacks invoked ON
//     the loop thread. Callbacks must not block; the Swift side decides where to resume.
//
// Hops on the call path:
//   client call from a non-loop thread ........ 1 hop in (queue + eventfd), result callback
//                                               on the loop (the caller's resumption is its own)
//   client call from the loop thread .......... 0 hops
//   server dispatch ........................... callback on the loop, 0 hops
//   server answer inside the dispatch callback  0 hops (results go straight into the Return;
//                                               if other threads' work is queued ahead, the
//                                               answer queues behind it, still on the loop)
//   server answer later, on the loop .......... 0 hops
//   server answer later, from another thread .. 1 hop
//   ccapnp_post from another thread ........... 1 hop; from the loop: runs on a later turn
//
// Measured in one process (both ends on the loop, -O2, busy 2-core box), sequential trivial
// calls: caller on the loop ~35-45 us vs ~34 us for plain C++ capnp; a caller off the loop
// pays two thread wake-ups (in, and back to its waiting thread), ~50-70 us. So a Swift caller
// should run on an executor built with ccapnp_post to reach C++ latency.
// (`capnp-bench shim-latency` measures both paths.)
//
// ERRORS
//
// No entry point lets a C++ exception escape. Failures of asynchronous operations arrive as a
// ccapnp_error (kind + text) in the completion callback; kj exception types are preserved.
// Every exception the shim catches itself (a failure of the shim, not of a call) is logged to
// stderr, counted (ccapnp_debug_counts.caught_exceptions), and still ends in the completion the
// operation owes: a FAILED error, fd -1, a disconnect, a destroy. An answer to a server call
// that cannot be handed to the loop is retried as a FAILED answer. A release or cancel that
// cannot reach the loop is logged and the object leaks (nothing is owed to anyone there).
//
// OWNERSHIP
//
// Functions returning a handle return one reference the caller owns (connections and caps are
// reference-counted; a call or server call has a single owner). Handles are released
// from any thread; the capnp objects behind them are destroyed on the loop. Every callback
// that takes a `ctx` is invoked exactly once (completion, disconnect, get_fd, server destroy),
// so a retained context pointer can be released there. Normally that is on the loop; when the
// shim cannot hand the operation to the loop at all (it could not start, or queueing failed),
// the callback runs with the failure on the calling thread before the entry point returns, and
// an entry point that returns a handle returns NULL. A ccapnp_message_in's `release` likewise
// runs exactly once, also then.
//
// Not usable in a fork()ed child before exec (the loop thread does not survive fork).
// Creating the loop makes kj ignore SIGPIPE process-wide (writes to a dead peer fail instead).

#ifndef CCAPNP_RPC_H
#define CCAPNP_RPC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - Handles

typedef struct ccapnp_connection ccapnp_connection;   // one two-party RPC connection
typedef struct ccapnp_cap ccapnp_cap;                 // a capability (client reference)
typedef struct ccapnp_call ccapnp_call;               // an outgoing call in flight
typedef struct ccapnp_server_call ccapnp_server_call; // an incoming call to a server
typedef struct ccapnp_message ccapnp_message;         // a received message (results/params)

// MARK: - Errors

// Error kinds; the first four are kj::Exception::Type.
static const int32_t CCAPNP_OK = 0;
static const int32_t CCAPNP_FAILED = 1;
static const int32_t CCAPNP_OVERLOADED = 2;
static const int32_t CCAPNP_DISCONNECTED = 3;
static const int32_t CCAPNP_UNIMPLEMENTED = 4;
/// The call was cancelled locally (ccapnp_call_cancel / ccapnp_call_release before it returned).
static const int32_t CCAPNP_CANCELLED = 5;

typedef struct ccapnp_error {
    int32_t kind;
    /// 1 if the peer raised it (capnp's "remote exception: " prefix is stripped from the text).
    int32_t remote;
    const char *description; // NUL-terminated; valid only during the callback
    size_t description_length;
} ccapnp_error;

// MARK: - Messages

/// One segment: `words` 8-byte words at `data` (8-byte aligned).
typedef struct ccapnp_segment {
    const void *data;
    size_t words;
} ccapnp_segment;

/// A message handed to the shim (call params, server results). The root pointer is word 0
/// of segment 0 (standard layout); capability pointer i refers to `caps[i]`. Encode a null
/// capability as a null pointer; a NULL entry becomes a cap whose calls fail, and an index
/// past `cap_count` fails the whole call (FAILED). Zero segments (or an empty first segment)
/// means a null root.
///
/// The shim takes its own references to the caps; the caller keeps its own.
/// If `release` is NULL the segments are only borrowed for the duration of the entry call
/// (the shim copies them if it must defer). If `release` is non-NULL the shim borrows the
/// segment memory until it calls `release(release_ctx)` (exactly once, on any thread, possibly
/// before the entry returns): this saves one copy when called off the loop.
typedef struct ccapnp_message_in {
    const ccapnp_segment *segments;
    size_t segment_count;
    ccapnp_cap *const *caps;
    size_t cap_count;
    void (*release)(void *release_ctx);
    void *release_ctx;
} ccapnp_message_in;

/// A read-only view of a message the shim owns. Root: word 0 of segment 0. Capability
/// pointer i refers to `caps[i]` (may be NULL); the message holds those references, so
/// retain a cap (ccapnp_cap_retain) to keep it beyond the message.
typedef struct ccapnp_message_view {
    const ccapnp_segment *segments;
    size_t segment_count;
    ccapnp_cap *const *caps;
    size_t cap_count;
} ccapnp_message_view;

/// A null root or an empty struct (no data, no pointers, no caps) comes as a shared message of
/// one word, 0 or 0x00000000fffffffc: no copy is made, and releasing it does nothing.
ccapnp_message_view ccapnp_message_get_view(const ccapnp_message *message);
/// Frees the message (any thread). Its cap references are released on the loop.
void ccapnp_message_release(ccapnp_message *message);

// MARK: - Event loop

/// Starts the loop thread if it is not running. Returns 0, or -1 if it could not start.
/// Every other entry point calls this implicitly.
int32_t ccapnp_loop_start(void);
/// 1 if the calling thread is the loop thread.
int32_t ccapnp_on_loop_thread(void);
/// Runs `fn(ctx)` on the loop thread, later (never inside this call). Posts made from one
/// thread run in order. Use it to build a SerialExecutor on the loop thread. Returns 0, or -1
/// if the loop could not take it (it could not start, or queueing failed): `fn` then never runs.
int32_t ccapnp_post(void (*fn)(void *ctx), void *ctx);

// MARK: - Connections

typedef struct ccapnp_connection_options {
    /// Incoming messages larger than this (in words) fail the connection. Default 8 Mi (64 MiB).
    uint64_t traversal_limit_words;
    /// Maximum struct/list nesting depth of incoming messages. Default 64.
    int32_t nesting_limit;
    /// Maximum fds accepted per incoming message (0 refuses fds). Default 4.
    uint32_t max_fds_per_message;
    /// Two-party side: 1 = server, 0 = client. Only distinguishes the two ends; both may
    /// export a bootstrap capability and bootstrap the other.
    int32_t is_server;
    /// Closes the connection after this many milliseconds without a message in either
    /// direction (0 = never). Default 0.
    uint32_t idle_timeout_ms;
    /// Closes the connection when no call completed on it (a Return in either direction, the
    /// Bootstrap's included) this many milliseconds after it was made (0 = never). Default 0;
    /// the Swift layer turns it on for accepted connections.
    uint32_t handshake_timeout_ms;
    /// Bound on what the peer makes this side hold: output queued for it plus the calls it
    /// made that are not answered yet (their bytes and 1 KiB each). Past it, the peer's next
    /// message waits until there is room again. 0 = no bound. Default 4 MiB.
    uint64_t max_held_bytes;
} ccapnp_connection_options;

ccapnp_connection_options ccapnp_connection_options_default(void);

// How a connection ended (ccapnp_disconnect_fn's `how`).
/// The peer closed the socket or the socket broke (peer killed, reset).
static const int32_t CCAPNP_ENDED_PEER = 0;
/// This side ended it: the last reference was released, or the idle timeout.
static const int32_t CCAPNP_ENDED_LOCAL = 1;
/// The connection failed: an incoming message broke a limit or the protocol (this side sent
/// the peer an Abort saying why), or the peer aborted.
static const int32_t CCAPNP_ENDED_FAILED = 2;

/// Called exactly once per connection, on the loop, when it ends. `reason` (never NULL; valid
/// during the call only) says why in words, e.g. the limit an incoming message broke.
typedef void (*ccapnp_disconnect_fn)(void *ctx, int32_t how, const char *reason);

/// Creates a connection over a connected unix stream socket. Takes ownership of `fd` (closed
/// by the shim, also on failure). `bootstrap` (borrowed, may be NULL) is exported to the peer.
/// `options` may be NULL for defaults. Releasing the last reference closes the connection;
/// capabilities obtained from it then fail with DISCONNECTED. Returns NULL if the connection
/// could not be handed to the loop; `fd` is then closed and `on_disconnect` has run
/// (CCAPNP_ENDED_FAILED, "could not start RPC: ...") on the calling thread.
ccapnp_connection *ccapnp_connection_new(int fd, const ccapnp_connection_options *options,
                                         ccapnp_cap *bootstrap, ccapnp_disconnect_fn on_disconnect,
                                         void *ctx);
/// Releases the caller's reference (capabilities from ccapnp_connection_bootstrap hold theirs).
void ccapnp_connection_release(ccapnp_connection *connection);
/// 1 once a call completed on the connection (a Return went either way), else 0. Any thread.
int32_t ccapnp_connection_completed_call(ccapnp_connection *connection);
/// The peer's bootstrap capability (a promise until the peer answers; calls on it pipeline).
/// NULL if it could not be handed to the loop.
ccapnp_cap *ccapnp_connection_bootstrap(ccapnp_connection *connection);

// MARK: - Capabilities

void ccapnp_cap_retain(ccapnp_cap *cap);
void ccapnp_cap_release(ccapnp_cap *cap);

/// A capability that is broken: every call on it fails with `kind` and `text`. NULL if it could
/// not be made (the loop cannot start).
ccapnp_cap *ccapnp_cap_new_broken(int32_t kind, const char *text);

/// Result of ccapnp_cap_get_fd: a new fd (CLOEXEC, owned by the callee) or -1 if the
/// capability carries none (or the shim failed). Invoked exactly once, on the loop (on the
/// calling thread, with -1, if the request could not be handed to the loop).
typedef void (*ccapnp_fd_fn)(void *ctx, int fd);
/// Asks for the fd behind a capability (a local fd cap, or one received from a peer over a
/// connection that allows fds). Waits for a promise capability to resolve first.
void ccapnp_cap_get_fd(ccapnp_cap *cap, ccapnp_fd_fn done, void *ctx);

/// Result of ccapnp_cap_get_brand: what identifies where the capability's calls go (the same
/// value for every capability imported over one connection; another for local servers). Only
/// compared, never dereferenced. Invoked exactly once, on the loop.
typedef void (*ccapnp_brand_fn)(void *ctx, const void *brand);
/// Asks for a capability's brand, on the loop, after what this thread already queued (so
/// before any call it sends afterwards).
void ccapnp_cap_get_brand(ccapnp_cap *cap, ccapnp_brand_fn done, void *ctx);
/// The brand now: on the loop thread, that of `cap` (null while its fill-in is queued); on any
/// other thread, null.
const void *ccapnp_cap_brand_on_loop(ccapnp_cap *cap);

/// On the loop thread: a new fd (CLOEXEC, the caller's) duplicating the one `cap` carries now, or
/// -1 when it carries none yet or this is another thread. A forwarded call uses it to pass an fd
/// on as an fd rather than behind a proxy.
int ccapnp_cap_dup_fd_on_loop(ccapnp_cap *cap);

/// A capability wrapping `fd` (ownership taken; closed when the last reference anywhere goes).
/// Put it in a message's cap table to send the fd to the peer. Every method call on it fails
/// with UNIMPLEMENTED. NULL (and `fd` closed) if it could not be made (the loop cannot start).
ccapnp_cap *ccapnp_cap_new_fd(int fd);

// MARK: - Calls (client side)

/// Completion of a call: exactly once, on the loop. On success `results` is non-NULL and owned
/// by the callee (release it with ccapnp_message_release) and `error` is NULL; on failure
/// `results` is NULL and `error` is valid during the callback.
typedef void (*ccapnp_call_done_fn)(void *ctx, ccapnp_message *results, const ccapnp_error *error);

/// Sends method `method_id` of interface `interface_id` to `target` with `params` (may be NULL
/// for empty params). Returns the call handle, owned by the caller, or NULL if the call could
/// not be handed to the loop: `done` has then run with FAILED on the calling thread.
ccapnp_call *ccapnp_call_send(ccapnp_cap *target, uint64_t interface_id, uint16_t method_id,
                              const ccapnp_message_in *params, ccapnp_call_done_fn done, void *ctx);

/// Promise pipelining: a capability for the pointer reached from the (not yet returned) results
/// struct by following pointer-field indices `path[0..path_length)`. Calls on it are sent at once.
/// NULL if it could not be handed to the loop.
ccapnp_cap *ccapnp_call_pipeline(ccapnp_call *call, const uint16_t *path, size_t path_length);

/// Cancels the call if it has not completed: the promise is dropped (capnp sends Finish) and
/// the completion fires with CCAPNP_CANCELLED. No effect once completed.
void ccapnp_call_cancel(ccapnp_call *call);
/// Releases the handle (cancelling first if still pending). Pipelined caps stay valid.
/// Release it once the completion has fired: capnp keeps the answer (and sends no Finish)
/// while the handle's pipeline is alive.
void ccapnp_call_release(ccapnp_call *call);

// MARK: - Servers

/// A server implemented in C (Swift). All callbacks run on the loop.
typedef struct ccapnp_server_vtable {
    /// An incoming call. `call` is owned by the callee, who must eventually pass it to exactly
    /// one of ccapnp_server_call_return / ccapnp_server_call_fail (from any thread; also after
    /// cancellation). Answering before this callback returns costs no hop. Unknown methods:
    /// fail with CCAPNP_UNIMPLEMENTED.
    void (*dispatch)(void *ctx, uint64_t interface_id, uint16_t method_id, ccapnp_server_call *call);
    /// Optional: the caller cancelled `call` (still owned by the callee, still to be answered;
    /// the answer is then dropped). Only for calls not answered inside dispatch.
    void (*cancelled)(void *ctx, ccapnp_server_call *call);
    /// Optional: an fd to expose with this capability (kept open by the server), or -1.
    int (*get_fd)(void *ctx);
    /// Optional: the server is gone (no references left anywhere). Exactly once.
    void (*destroy)(void *ctx);
} ccapnp_server_vtable;

/// A capability served by `vtable` (copied) with `ctx`. NULL if `vtable` or its `dispatch` is
/// NULL, or if the server could not be handed to the loop; `destroy` (if any) has then run.
ccapnp_cap *ccapnp_server_new(const ccapnp_server_vtable *vtable, void *ctx);

/// The call's params; valid until the call is answered.
ccapnp_message_view ccapnp_server_call_params(const ccapnp_server_call *call);
/// Takes the params out of the call: the caller owns the returned message (release it with
/// ccapnp_message_release), which may outlive the call. Afterwards the call's params are empty.
/// NULL if already taken. Call on the loop thread or before answering, never concurrently.
ccapnp_message *ccapnp_server_call_take_params(ccapnp_server_call *call);
/// Declares, before answering, the capabilities the results will hold: `pipeline` is a results
/// message containing (at least) the same capability pointers. Calls the client pipelines on
/// those pointers then go straight to the caps instead of waiting for the answer
/// (CallContext::setPipeline). Does not consume `call`; no effect once answered.
void ccapnp_server_call_set_pipeline(ccapnp_server_call *call, const ccapnp_message_in *pipeline);
/// Answers with `results` (may be NULL: empty results) and consumes `call`.
void ccapnp_server_call_return(ccapnp_server_call *call, const ccapnp_message_in *results);
/// Answers with an error of `kind` (CCAPNP_FAILED..UNIMPLEMENTED) and consumes `call`.
void ccapnp_server_call_fail(ccapnp_server_call *call, int32_t kind, const char *text,
                             size_t text_length);

// MARK: - Debugging

/// Live objects, for leak tests. Counts drop when objects are destroyed on the loop.
typedef struct ccapnp_debug_counts {
    int64_t connections;
    int64_t caps;
    int64_t calls;
    int64_t server_calls;
    int64_t messages;
    int64_t servers;
    /// Exceptions the shim caught at its boundary (each also logged); only ever grows.
    int64_t caught_exceptions;
} ccapnp_debug_counts;

ccapnp_debug_counts ccapnp_debug_get_counts(void);

// Fault injection, for tests of the failure paths: each makes the next `count` such steps taken
// on the calling thread fail (count 0 disarms).
/// The loop reports that it cannot start (ccapnp_loop_start returns -1; entry points fail).
static const int32_t CCAPNP_FAULT_LOOP_START = 1;
/// Handing work to the loop throws (the next submission, inline or queued, or a post).
static const int32_t CCAPNP_FAULT_SUBMIT = 2;
void ccapnp_debug_inject_fault(int32_t fault, int32_t count);

#ifdef __cplusplus
}
#endif

#endif
