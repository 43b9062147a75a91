// Cleanups tied to a server object's life as a capability: they run once nothing (no local
// client, no peer, no connection) refers to it any more.

import Synchronization

/// Runs closures when the last capability serving an object is released, including when the
/// connection its clients came over dies (capnp then releases everything the peer held).
package enum ServerCleanups {
    private struct Entry {
        var capabilities = 0
        var cleanups: [@Sendable () -> Void] = []
    }
    private static let entries = Locked<[ObjectIdentifier: Entry]>([:])
    /// Servers with cleanups. While there are none, serving skips the table: making and
    /// releasing capabilities take no lock.
    private static let watched = Atomic<Int>(0)

    /// Runs `cleanup` once no capability serves `server` any more. Add it before making the
    /// server's capabilities: ones made earlier are not counted. It may run on the RPC loop
    /// thread, so it must not block.
    package static func add(for server: some CapabilityServer, _ cleanup: @escaping @Sendable () -> Void) {
        let isNew = entries.withLock { entries in
            let key = ObjectIdentifier(server)
            let isNew = entries[key] == nil
            entries[key, default: Entry()].cleanups.append(cleanup)
            return isNew
        }
        if isNew { watched.add(1, ordering: .releasing) }
    }

    static func retain(_ server: any CapabilityServer) {
        guard watched.load(ordering: .acquiring) > 0 else { return }
        entries.withLock { entries in
            let key = ObjectIdentifier(server)
            if entries[key] != nil { entries[key]!.capabilities += 1 }
        }
    }

    static func release(_ server: any CapabilityServer) {
        guard watched.load(ordering: .acquiring) > 0 else { return }
        let key = ObjectIdentifier(server)
        let due: [@Sendable () -> Void]? = entries.withLock { entries in
            guard var entry = entries[key], entry.capabilities > 0 else { return nil }
            entry.capabilities -= 1
            if entry.capabilities > 0 {
                entries[key] = entry
                return nil
            }
            entries[key] = nil
            return entry.cleanups
        }
        guard let due else { return }
        watched.subtract(1, ordering: .releasing)
        for cleanup in due { cleanup() }
    }
}
