// Process.checkSpawned, called here and through the real child with bad -ipcfd values.

import Multiprocess
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Process.checkSpawned")
struct ProcessCheckSpawnedTests {
    @Test func argumentsThatAreNotAnIpcSpawnGiveNil() throws {
        for arguments in [[], ["exe"], ["exe", "-ipcfd"], ["exe", "-other", "3"], ["exe", "-ipcfd", "3", "more"],
                          ["exe", "--ipcfd", "3"], ["exe", "3", "-ipcfd"]] {
            #expect(try Process.checkSpawned(arguments) == nil, "\(arguments)")
        }
    }

    @Test("the fd-only convention takes `exe N`, and nothing else")
    func fdOnlyConvention() throws {
        let (a, b) = try socketPair()
        defer { close(a); close(b) }
        #expect(try Process.checkSpawned(["exe", String(a)], convention: .fdOnly) == a)
        for arguments in [["exe"], ["exe", "-ipcfd", String(a)], ["exe", String(a), "more"], ["exe", "--help"]] {
            #expect(try Process.checkSpawned(arguments, convention: .fdOnly) == nil, "\(arguments)")
        }
        #expect(try Process.checkSpawned(["exe", String(a)]) == nil, "not the default convention")
        #expect(throws: ProcessError.malformedIpcFd("3x")) { try Process.checkSpawned(["exe", "3x"], convention: .fdOnly) }
        #expect(SpawnConvention.fdOnly.arguments(3) == ["3"])
        #expect(SpawnConvention.ipcfd.arguments(3) == ["-ipcfd", "3"])
    }

    @Test(arguments: ["abc", "-1", "+3", "", " 3", "3 ", "0x10", "3.0", "99999999999", "٣"])
    func malformedNumberIsAUsageError(value: String) {
        #expect(throws: ProcessError.malformedIpcFd(value)) { try Process.checkSpawned(["exe", "-ipcfd", value]) }
        let error = ProcessError.malformedIpcFd(value)
        #expect(error.exitStatus == 2)
        #expect(error.description.hasPrefix("-ipcfd value '\(value)' is not a file descriptor number"))
    }

    @Test func closedFdIsRefused() {
        // Far above any fd this process has (the default limit is 1024 or so).
        #expect(throws: ProcessError.ipcFdNotOpen(999_999)) { try Process.checkSpawned(["exe", "-ipcfd", "999999"]) }
        #expect(ProcessError.ipcFdNotOpen(999_999).exitStatus == 3)
    }

    @Test func unixStreamSocketIsAcceptedAndMadeCloseOnExec() throws {
        let pair = try socketPair(closeOnExec: false) // checkSpawned must set CLOEXEC itself
        let fds = [pair.0, pair.1]
        defer { close(fds[0]); close(fds[1]) }
        #expect(!SocketIO.isCloseOnExec(fds[1]))
        #expect(try Process.checkSpawned(["exe", "-ipcfd", String(fds[1])]) == fds[1])
        #expect(SocketIO.isCloseOnExec(fds[1]), "the IPC fd must not leak into the child's own children")
    }

    @Test func fdsThatAreNotUnixStreamSocketsAreRefusedSayingWhatTheyAre() throws {
        var pipeFds: [Int32] = [-1, -1]
        try #require(pipe(&pipeFds) == 0)
        let datagramPair = try socketPair(type: Int32(SOCK_DGRAM.rawValue))
        let datagram = [datagramPair.0, datagramPair.1]
        let inet = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let file = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let directory = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { (pipeFds + datagram + [inet, file, directory]).forEach { close($0) } }
        let cases: [(Int32, String)] = [
            (pipeFds[0], "a pipe"), (datagram[0], "a datagram unix socket"), (inet, "a socket of AF_INET"),
            (file, "a character device"), (directory, "a directory"),
        ]
        for (fd, actual) in cases {
            #expect(throws: ProcessError.ipcFdNotUnixStreamSocket(fd: fd, actual: actual)) {
                try Process.checkSpawned(["exe", "-ipcfd", String(fd)])
            }
        }
        #expect(ProcessError.ipcFdNotUnixStreamSocket(fd: 5, actual: "a pipe").exitStatus == 4)
    }

    @Test func childWithoutArgumentsPrintsUsageAndExits2() throws {
        for arguments in [[], ["-ipcfd"], ["something", "else"]] {
            let run = try TestChild.run(arguments)
            #expect(run.status == .exited(2), "\(arguments)")
            #expect(run.stderr.hasPrefix("usage: mp-test-child -ipcfd N"), "\(arguments): \(run.stderr)")
        }
    }

    @Test(arguments: [("abc", 2, "-ipcfd value 'abc' is not a file descriptor number"),
                      ("-1", 2, "-ipcfd value '-1' is not a file descriptor number"),
                      ("99999", 3, "-ipcfd 99999 is not an open file descriptor")] as [(String, Int32, String)])
    func childWithBadIpcFdExitsWithItsStatus(value: String, status: Int32, message: String) throws {
        let run = try TestChild.run(["-ipcfd", value])
        #expect(run.status == .exited(status))
        #expect(run.stderr.hasPrefix("mp-test-child: \(message)"), "stderr: \(run.stderr)")
    }

    @Test func childGivenARegularFileOrADatagramSocketExits4() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("not-a-socket", "data")
        let file = open(path, O_RDONLY | O_CLOEXEC)
        try #require(file >= 0)
        defer { close(file) }
        let run = try TestChild.run(["-ipcfd", "5"], placing: [(file, 5)])
        #expect(run.status == .exited(4))
        #expect(run.stderr.hasPrefix("mp-test-child: -ipcfd 5 is a regular file, not a unix stream socket"),
                "stderr: \(run.stderr)")

        let datagramPair = try socketPair(type: Int32(SOCK_DGRAM.rawValue))
        let datagram = [datagramPair.0, datagramPair.1]
        defer { close(datagram[0]); close(datagram[1]) }
        let dgramRun = try TestChild.run(["-ipcfd", "6"], placing: [(datagram[1], 6)])
        #expect(dgramRun.status == .exited(4))
        #expect(dgramRun.stderr.contains("-ipcfd 6 is a datagram unix socket"), "stderr: \(dgramRun.stderr)")
    }

    @Test func childSpawnedByHandWithAGoodSocketServes() throws {
        let pair = try socketPair()
        let fds = [pair.0, pair.1]
        defer { close(fds[0]) }
        // The child's end at fd 7, a number a parent other than Process.spawn might pick.
        try SocketIO.writeAll(fds[0], "hand")
        shutdown(fds[0], Int32(SHUT_WR))
        let run = try TestChild.run(["-ipcfd", "7"], placing: [(fds[1], 7)])
        close(fds[1])
        #expect(run.status == .exited(0), "stderr: \(run.stderr)")
        #expect(try SocketIO.readToEnd(fds[0]) == Array("hand".utf8))
    }

    @Test func exitStatusesDifferPerKind() {
        let statuses = [ProcessError.malformedIpcFd("x"), .ipcFdNotOpen(9), .ipcFdNotUnixStreamSocket(fd: 9, actual: "a pipe"),
                        .nothingListening(path: "/x")].map(\.exitStatus)
        #expect(statuses == [2, 3, 4, 1])
    }
}
