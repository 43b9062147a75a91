// Process: starting, recognizing and waiting for the processes of a multiprocess program, and the
// unix sockets they listen and connect on (Bitcoin Core's ipc::Process).

#if canImport(Glibc)
import Glibc
#endif

/// The process-level half of IPC, as Bitcoin Core's `ipc::Process` has it:
/// - `spawn` starts `<exe> -ipcfd N` with one end of a socketpair as fd N;
/// - `checkSpawned` is the child's side of that: is this process such a child, and which fd?
/// - `waitSpawned` / `reap` collect the child's exit status;
/// - `bind` / `connect` make the unix sockets of `-ipcbind` / `-ipcconnect` addresses.
///
/// Linux (glibc) only. Named `Process` like Foundation's: where Foundation is imported too,
/// write `Multiprocess.Process`.
public enum Process {
    /// The argument before the fd number in a spawned child's command line.
    public static let ipcFdFlag = "-ipcfd"

    /// The fd a spawned child finds its socket on. Fixed, so that everything else can be closed
    /// with one `closefrom(ipcChildFd + 1)`.
    static let ipcChildFd: Int32 = 3
}
