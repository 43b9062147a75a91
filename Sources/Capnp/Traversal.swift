// Walks everything a pointer reaches, checking it as a typed read would, without knowing the schema.

/// The size of everything a pointer reaches.
public struct MessageSize: Sendable, Equatable {
    public var words: Int
    public var capabilities: Int
}

extension PointerReader {
    /// Follows every pointer reachable from here, with the same checks and limits as typed reads.
    /// Useful to validate an untrusted message up front, or to size a copy.
    public func totalSize() throws(CapnpError) -> MessageSize {
        var size = MessageSize(words: 0, capabilities: 0)
        try accumulate(into: &size)
        return size
    }

    func accumulate(into size: inout MessageSize) throws(CapnpError) {
        let pointer = wire
        guard let arena, !pointer.isNull else { return }
        if pointer.kind == WirePointer.otherKind {
            guard pointer.isCapability else {
                throw CapnpError(.wrongPointerType, "found a reserved 'other' pointer")
            }
            size.capabilities += 1
            return
        }
        let (tag, _, _) = try arena.follow(segment: segment, location: location!, pointer: pointer)
        if tag.kind == WirePointer.structKind {
            let reader = try readStruct()
            size.words += reader.dataBits / 64 + reader.pointerCount
            for index in 0..<reader.pointerCount { try reader._pointer(index).accumulate(into: &size) }
            return
        }
        let list = try readList(expected: tag.listElementSize == .composite ? .composite : tag.listElementSize)
        switch list.elementSize {
        case .composite:
            size.words += list.count * list.stepBits / 64 + 1
            for index in 0..<list.count {
                let element = list.structElement(index)
                for slot in 0..<element.pointerCount { try element._pointer(slot).accumulate(into: &size) }
            }
        case .pointer:
            size.words += list.count
            for index in 0..<list.count { try list.pointerElement(index).accumulate(into: &size) }
        default:
            size.words += (list.count * list.stepBits + 63) / 64
        }
    }
}

extension MessageReader {
    /// Walks the whole message from its root; see `PointerReader.totalSize()`.
    public func totalSize() throws(CapnpError) -> MessageSize {
        try root().totalSize()
    }
}
