// Cleanups tied to a server object's life as a capability: they run once nothing (no local
// client, no peer, no connection) refers to it any more.

import Synchronization

/// Runs closures when the last capability serving an object is released, including when the
/// connection its clients came over dies (capnp then releases everything the peer held).
public enum ServerCleanups {
    private struct Entry {
        var capabilities = 0
        var cleanups: [@Sendable () -> Void] = []
    }
    private static let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// Runs `cleanup` once no capability serves `server` any more. With none serving it now,
    /// it runs when the next one made for it goes. It may run on the RPC loop thread: it must
    /// not block.
    public static func add(for server: some CapabilityServer, _ cleanup: @escaping @Sendable () -> Void) {
        entries.withLock { $0[ObjectIdentifier(server), default: Entry()].cleanups.append(cleanup) }
    }

    static func retain(_ server: any CapabilityServer) {
        entries.withLock { $0[ObjectIdentifier(server), default: Entry()].capabilities += 1 }
    }

    static func release(_ server: any CapabilityServer) {
        let key = ObjectIdentifier(server)
        let due: [@Sendable () -> Void] = entries.withLock { entries in
            guard var entry = entries[key] else { return [] }
            entry.capabilities -= 1
            if entry.capabilities > 0 {
                entries[key] = entry
                return []
            }
            entries[key] = nil
            return entry.cleanups
        }
        for cleanup in due { cleanup() }
    }
}
