// The posix_spawn call behind Process.spawn: the child gets stdio, the socket on fd 3, nothing else.

#if canImport(Glibc)
import Glibc
#endif

/// glibc ≥ 2.34 has `posix_spawn_file_actions_addclosefrom_np`, but declares it only under
/// _GNU_SOURCE, which the Glibc module is not built with: look it up at run time instead.
private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

extension Process {
    /// How the child gets rid of the fds it must not inherit.
    enum CloseStrategy {
        /// `addclosefrom_np` if this glibc has it, else `enumerate`.
        case automatic
        /// One close action per fd open here (from /proc/self/fd): for glibc < 2.34, where an fd
        /// another thread opens meanwhile without CLOEXEC can still leak.
        case enumerate
    }

    /// `posix_spawn(path, arguments, environment)` where the child has `socket` as fd 3 (CLOEXEC
    /// cleared), stdio as this process has it, and nothing else. `socket` must not be 3.
    /// Exec failures come back as `.spawnFailed` (glibc's posix_spawn waits for the exec).
    static func spawnChild(path: String, arguments: [String], environment: [String],
                           socket: Int32, parentEnd: Int32,
                           closing strategy: CloseStrategy) throws(ProcessError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        try check(posix_spawn_file_actions_init(&actions), "posix_spawn_file_actions_init")
        defer { posix_spawn_file_actions_destroy(&actions) }
        try check(posix_spawnattr_init(&attributes), "posix_spawnattr_init")
        defer { posix_spawnattr_destroy(&attributes) }

        try check(posix_spawn_file_actions_adddup2(&actions, socket, ipcChildFd), "posix_spawn_file_actions_adddup2")
        // Our socketpair can only have got a stdio number if that stdio was closed here: give the
        // child /dev/null there rather than a hole its next open would fill.
        for fd in Set([socket, parentEnd]) where fd < ipcChildFd {
            try check(posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0),
                      "posix_spawn_file_actions_addopen")
        }
        try addCloseAbove(ipcChildFd, &actions, strategy)

        // A thread's blocked signals would otherwise stay blocked in the child.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        try check(posix_spawnattr_setsigmask(&attributes, &noSignals), "posix_spawnattr_setsigmask")
        try check(posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK)), "posix_spawnattr_setflags")

        var argv = arguments.map { strdup($0) }
        defer { argv.forEach { free($0) } }
        argv.append(nil)
        var envp = environment.map { strdup($0) }
        defer { envp.forEach { free($0) } }
        envp.append(nil)
        if argv.dropLast().contains(nil) || envp.dropLast().contains(nil) {
            throw .systemCallFailed(operation: "strdup", errno: ENOMEM)
        }

        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw .spawnFailed(path: path, errno: result) }
        return pid
    }

    /// Adds actions that close every fd above `lowest`.
    private static func addCloseAbove(_ lowest: Int32, _ actions: inout posix_spawn_file_actions_t,
                                      _ strategy: CloseStrategy) throws(ProcessError) {
        if strategy == .automatic, let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            let addCloseFrom = unsafeBitCast(symbol, to: AddCloseFrom.self)
            try check(addCloseFrom(&actions, lowest + 1), "posix_spawn_file_actions_addclosefrom_np")
            return
        }
        for fd in try openFileDescriptors() where fd > lowest {
            try check(posix_spawn_file_actions_addclose(&actions, fd), "posix_spawn_file_actions_addclose")
        }
    }

    private static func check(_ result: Int32, _ operation: String) throws(ProcessError) {
        guard result == 0 else { throw .systemCallFailed(operation: operation, errno: result) }
    }
}
