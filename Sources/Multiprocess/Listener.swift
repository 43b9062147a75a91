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
public final class IpcListener: Sendable {
    public let fd: Int32
    private let connections = Locked<[ObjectIdentifier: Connection]>([:])
    private let stopped = Atomic<Bool>(false)
    private let accepting: @Sendable (Int32) -> Void

    init(fd: Int32, accepting: @escaping @Sendable (Int32) -> Void) {
        self.fd = fd
        self.accepting = accepting
    }

    /// The connections accepted and still open.
    public var connectionCount: Int { connections.withLock { $0.count } }

    /// Closes every accepted connection; the listener goes on accepting.
    public func disconnectIncoming() {
        let open = connections.withLock { all in defer { all = [:] }; return Array(all.values) }
        for connection in open { connection.close() }
    }

    /// Stops accepting and closes the listening socket (accepted connections stay open).
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(fd, Int32(SHUT_RDWR))  // wakes the accept thread
    }

    func add(_ connection: Connection) {
        let key = ObjectIdentifier(connection)
        connections.withLock { $0[key] = connection }
        connection.onDisconnect { [weak self] _ in _ = self?.connections.withLock { $0.removeValue(forKey: key) } }
    }

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
        while !stopped.load(ordering: .acquiring) {
            // accept4 needs _GNU_SOURCE; Process.spawn closes stray fds in children anyway.
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            accepting(client)
        }
        close(fd)
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

/// The listeners a Protocol started (weakly), so that its disconnectIncoming reaches them all.
final class Listeners: Sendable {
    private struct Entry { weak var listener: IpcListener? }
    private let entries = Locked<[Entry]>([])

    func add(_ listener: IpcListener) {
        entries.withLock { all in
            all.removeAll { $0.listener == nil }
            all.append(Entry(listener: listener))
        }
    }

    func disconnectIncoming() {
        for entry in entries.withLock({ $0 }) { entry.listener?.disconnectIncoming() }
    }
}
