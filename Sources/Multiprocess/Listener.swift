// Accepting connections on a listening unix socket: each gets a fresh Init, if the peer's uid
// is allowed and there is room.

import CapnpRPC
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A listening socket served by `Protocol.listen`. Accepting runs on a thread of its own (it
/// blocks in accept), never on the RPC loop or the concurrency pool.
///
/// Lifetime: a listener accepts until `stop()`, whether or not its caller keeps the object (the
/// accept thread holds it). Each accepted connection lives until it ends or
/// `disconnectIncoming()` closes it, also after `stop()` and after the last reference to the
/// listener is gone: dropping the object never closes what it accepted.
///
/// Running out of fds (EMFILE, ENFILE) or kernel memory (ENOBUFS, ENOMEM) does not end it: it
/// logs once, waits a little (longer while it lasts) and accepts again.
public final class IpcListener: Sendable {
    public let fd: Int32
    private let accepted = AcceptedConnections()
    private let stopped = Atomic<Bool>(false)
    private let accepting: @Sendable (Int32) -> Void
    private let logger: Logger

    init(fd: Int32, logger: Logger = Logger(label: "ipc"), accepting: @escaping @Sendable (Int32) -> Void) {
        self.fd = fd
        self.logger = logger
        self.accepting = accepting
    }

    /// The connections accepted and still open.
    public var connectionCount: Int { accepted.count }

    /// Closes every accepted connection; the listener goes on accepting.
    public func disconnectIncoming() {
        accepted.closeAll()
    }

    /// Stops accepting and closes the listening socket (accepted connections stay open).
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(fd, Int32(SHUT_RDWR))  // wakes the accept thread
    }

    /// Whether the accept thread has ended (after `stop()`).
    public var isStopped: Bool { stopped.load(ordering: .acquiring) }

    func add(_ connection: Connection) {
        accepted.add(connection)
    }

    /// Makes room for one more connection when `limit` are open: closes the longest-open
    /// connection on which no call completed yet (sockets that connect and say nothing must not
    /// keep real clients out). False when every open connection has completed a call.
    func makeRoom(limit: Int) -> Bool {
        accepted.makeRoom(limit: limit, logger: logger, fd: fd)
    }

    var acceptedConnections: AcceptedConnections { accepted }

    func start() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            let listener = Unmanaged<IpcListener>.fromOpaque(context!).takeRetainedValue()
            listener.acceptLoop()
            return nil
        }, box)
        if status == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<IpcListener>.fromOpaque(box).release()
        }
    }

    private func acceptLoop() {
        var backoffMs: Int32 = 0
        while !stopped.load(ordering: .acquiring) {
            // accept4 needs _GNU_SOURCE; Process.spawn closes stray fds in children anyway.
            let client = accept(fd, nil, nil)
            if client < 0 {
                let error = errno
                if error == EINTR || error == ECONNABORTED { continue }
                if error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM {
                    // Out of fds or kernel memory: connections that end free them. Waiting
                    // keeps this from spinning on a connection the kernel holds ready.
                    if backoffMs == 0 {
                        logger.error("accepting on fd \(fd) failed: \(String(cString: strerror(error))); retrying until it works (close connections or raise the fd limit)")
                    }
                    backoffMs = min(max(backoffMs * 2, 10), 1000)
                    var pause = timespec(tv_sec: 0, tv_nsec: Int(backoffMs) * 1_000_000)
                    nanosleep(&pause, nil)
                    continue
                }
                if !stopped.load(ordering: .acquiring) {
                    logger.error("accepting on fd \(fd) failed: \(String(cString: strerror(error))); no longer listening")
                }
                break
            }
            if backoffMs > 0 {
                logger.notice("accepting on fd \(fd) works again")
                backoffMs = 0
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            accepting(client)
        }
        stopped.store(true, ordering: .releasing)
        close(fd)
    }
}

/// The connections a listener accepted. Each holds itself here until it ends, independent of
/// the Listener object (see its lifetime).
final class AcceptedConnections: Sendable {
    private struct Entry {
        let connection: Connection
        let since: ContinuousClock.Instant
    }
    private let entries = Locked<[ObjectIdentifier: Entry]>([:])

    var count: Int { entries.withLock { $0.count } }

    func add(_ connection: Connection) {
        let key = ObjectIdentifier(connection)
        entries.withLock { $0[key] = Entry(connection: connection, since: .now) }
        // Holds this set (not the listener) until the connection ends.
        connection.onDisconnect { [self] _ in _ = entries.withLock { $0.removeValue(forKey: key) } }
    }

    func closeAll() {
        let open = entries.withLock { all in defer { all = [:] }; return all.values.map(\.connection) }
        for connection in open { connection.close() }
    }

    func makeRoom(limit: Int, logger: Logger, fd: Int32) -> Bool {
        let evicted: Connection? = entries.withLock { all in
            guard all.count >= limit else { return nil }
            let idle = all.filter { !$0.value.connection.completedCall }
            guard let oldest = idle.min(by: { $0.value.since < $1.value.since }) else { return nil }
            all.removeValue(forKey: oldest.key)
            return oldest.value.connection
        }
        guard let evicted else { return count < limit }
        logger.notice("closed a connection on fd \(fd) on which no call completed, to make room for a new one")
        evicted.close()
        return true
    }
}

/// Who may connect to a listening socket.
public enum PeerPolicy: Sendable, Equatable {
    /// Only processes running as this process's uid (the default).
    case sameUser
    /// Only these uids.
    case uids(Set<uid_t>)
    /// Anyone who can open the socket file.
    case anyone

    func allows(_ uid: uid_t) -> Bool {
        switch self {
        case .sameUser: uid == getuid()
        case .uids(let allowed): allowed.contains(uid)
        case .anyone: true
        }
    }
}

/// The uid of the process at the other end of a unix socket (SO_PEERCRED).
func peerUid(_ fd: Int32) -> uid_t? {
    // struct ucred { pid_t pid; uid_t uid; gid_t gid; } (Glibc hides it without _GNU_SOURCE).
    var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
    var length = socklen_t(MemoryLayout.size(ofValue: credentials))
    guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0, length == 12 else { return nil }
    return credentials.uid
}

/// What the listeners a Protocol started accepted (weakly), so that its disconnectIncoming
/// reaches every accepted connection, also of listeners that were stopped and dropped.
final class Listeners: Sendable {
    private struct Entry { weak var accepted: AcceptedConnections? }
    private let entries = Locked<[Entry]>([])

    func add(_ listener: IpcListener) {
        entries.withLock { all in
            all.removeAll { $0.accepted == nil }
            all.append(Entry(accepted: listener.acceptedConnections))
        }
    }

    func disconnectIncoming() {
        for entry in entries.withLock({ $0 }) { entry.accepted?.closeAll() }
    }
}
