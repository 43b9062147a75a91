// The registry of interceptors by connection, so that served calls find their caller's: keyed by
// the shim's brand, which every capability imported over one connection shares.

internal import CCapnpRPC
import Synchronization

/// Which interceptor serves the calls of which connection, by the shim's brand of the
/// connection's capabilities (the same for every capability imported over it).
public enum CallInterceptors {
    private struct Entry {
        weak var interceptor: (any CallInterceptor)?
    }

    private static let byBrand = Mutex<[UInt: Entry]>([:])
    /// How many are registered: while none are, served calls skip the look-up.
    private static let count = Atomic<Int>(0)

    /// Whether any interceptor is registered.
    static var anyRegistered: Bool { count.load(ordering: .acquiring) > 0 }

    /// Calls served for `capability`'s connection go through `interceptor` (which is held
    /// weakly) from before any call this thread sends after this returns.
    public static func register(_ interceptor: any CallInterceptor, forConnectionOf capability: Capability) {
        let box = Unmanaged.passRetained(Registration(interceptor)).toOpaque()
        ccapnp_cap_get_brand(capability.handle, { context, brand in
            let registration = Unmanaged<Registration>.fromOpaque(context!).takeRetainedValue()
            guard let brand, let interceptor = registration.interceptor else { return }
            CallInterceptors.byBrand.withLock { entries in
                entries = entries.filter { $0.value.interceptor != nil }
                entries[UInt(bitPattern: brand)] = Entry(interceptor: interceptor)
                CallInterceptors.count.store(entries.count, ordering: .releasing)
            }
        }, box)
    }

    /// Forgets `interceptor` (its connection ended).
    public static func unregister(_ interceptor: any CallInterceptor) {
        byBrand.withLock { entries in
            entries = entries.filter { $0.value.interceptor != nil && $0.value.interceptor !== interceptor }
            count.store(entries.count, ordering: .releasing)
        }
    }

    /// The interceptor registered for `brand`'s connection.
    static func interceptor(forBrand brand: UnsafeRawPointer) -> (any CallInterceptor)? {
        byBrand.withLock { $0[UInt(bitPattern: brand)]?.interceptor }
    }

    private final class Registration {
        weak var interceptor: (any CallInterceptor)?
        init(_ interceptor: any CallInterceptor) { self.interceptor = interceptor }
    }
}
