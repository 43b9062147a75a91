// A spawned child leaves shutting down to its parent: Ctrl-C reaches every process of the
// terminal's group, and the parent closes the socket when it is done.

#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// Makes SIGINT print that the child waits for its parent instead of ending it, and makes
    /// writes to a parent that has gone fail with EPIPE rather than kill with SIGPIPE.
    public static func ignoreInterrupts() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            // A literal: no allocation in a signal handler.
            let message: StaticString = "ignoring SIGINT; waiting for the parent process to close the connection\n"
            _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
        }
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, nil)
        signal(SIGPIPE, SIG_IGN)
    }
}
