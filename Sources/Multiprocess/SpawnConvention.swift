// How a spawned child learns which fd is its socket: Bitcoin Core's `<exe> -ipcfd N`, or
// another convention (libmultiprocess's example passes `<exe> N`).

/// The arguments a child is spawned with to name its socket's fd, and how a child finds the fd
/// in its own arguments.
public struct SpawnConvention: Sendable {
    /// The arguments after the executable's path for socket fd `fd`.
    public let arguments: @Sendable (_ fd: Int32) -> [String]
    /// The fd's text in a child's `arguments` (executable first), or nil when they are not this
    /// convention's at all.
    public let fdArgument: @Sendable (_ arguments: [String]) -> String?

    public init(arguments: @escaping @Sendable (_ fd: Int32) -> [String],
                fdArgument: @escaping @Sendable (_ arguments: [String]) -> String?) {
        self.arguments = arguments
        self.fdArgument = fdArgument
    }

    /// `<exe> -ipcfd N`, Bitcoin Core's (the default).
    public static let ipcfd = SpawnConvention(
        arguments: { [Process.ipcFdFlag, String($0)] },
        fdArgument: { $0.count == 3 && $0[1] == Process.ipcFdFlag ? $0[2] : nil })

    /// `<exe> N`, as libmultiprocess's example spawns its children. Only an argument that starts
    /// with a digit is taken for N (`<exe> --help` is not a spawn).
    public static let fdOnly = SpawnConvention(
        arguments: { [String($0)] },
        fdArgument: { $0.count == 2 && $0[1].first?.isASCII == true && $0[1].first?.isNumber == true ? $0[1] : nil })
}
