// SIGINT/SIGTERM handling: the signals are ignored by default and read from a dispatch source,
// so the handler runs as ordinary code, not in signal context.

import Dispatch
#if canImport(Glibc)
import Glibc
#endif

enum Signals {
    static func watch(_ signals: [Int32], _ handler: @escaping @Sendable (Int32) -> Void) -> [any DispatchSourceSignal] {
        signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }
}
