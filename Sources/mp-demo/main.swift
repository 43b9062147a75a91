// mp-demo: the whole process sequence in one run. It spawns mp-demo-child, gets its Init,
// makes an Echo, calls it, closes the connection and reports how the child exited.

import CapnpRPC
import Multiprocess
import NodeInterfaces
#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    let line = Array("mp-demo: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("-h") || arguments.contains("--help") {
    print("""
        usage: mp-demo [MESSAGE...]
               mp-demo --cycles N
               mp-demo --pause

        Spawns mp-demo-child (found next to mp-demo), calls Init.makeEcho and Echo.echo with each
        MESSAGE (default: "hello from the parent"), then closes the connection and prints the
        child's exit status. Exits 0 only if every echo came back unchanged and the child exited 0.

        --cycles N  spawn, call and close the child N times; report this process's fd and child
                    counts before and after; exit 1 unless they are back where they started.
        --pause     after the echo, print "child-pid P" and wait for stdin to close before
                    closing the connection (tests kill mp-demo there and watch the child exit).
        """)
    exit(0)
}
if arguments.first == "--cycles" {
    guard arguments.count == 2, let count = Int(arguments[1]), count > 0 else { fail("--cycles needs a positive count; see --help") }
    exit(await Cycles.run(count) ? 0 : 1)
}
let pause = arguments == ["--pause"]
if !pause, let option = arguments.first(where: { $0.hasPrefix("-") }) { fail("unknown option '\(option)'; see --help") }
let messages = arguments.isEmpty || pause ? ["hello from the parent"] : arguments

do {
    let child = try await Ipc().spawnProcess("mp-demo-child", as: Init.Client.self)
    print("spawned mp-demo-child (pid \(child.pid)); it answered construct")
    do {
        let echo = try await child.initClient.makeEcho()
        for message in messages {
            let answer = try await echo.echo(echo: message)
            print("echo(\"\(message)\") -> \"\(answer)\"")
            guard answer == message else { fail("the echo changed the message") }
        }
        try await echo.destroy()
        if pause {
            print("child-pid \(child.pid)")
            fflush(nil)
            var byte: UInt8 = 0
            while read(0, &byte, 1) > 0 {}
        }
    } catch {
        _ = await child.close()
        fail("call failed: \(error)")
    }
    let status = await child.close()
    print("closed the connection; mp-demo-child \(status)")
    guard status == .exited(0) else { fail("the child did not exit cleanly") }
} catch {
    fail("\(error)")
}
