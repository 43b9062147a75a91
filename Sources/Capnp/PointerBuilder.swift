// One pointer slot of a message under construction: allocates, follows, overwrites and copies objects.

/// A pointer slot in a `MessageBuilder`: a struct field, a list element or the root.
///
/// Overwriting a slot zeroes the object it pointed to, so stale data never reaches the wire.
public struct PointerBuilder {
    @usableFromInline let arena: MessageBuilder
    @usableFromInline let segment: UInt32
    @usableFromInline let location: UnsafeMutableRawPointer

    @inlinable init(arena: MessageBuilder, segment: UInt32, location: UnsafeMutableRawPointer) {
        self.arena = arena
        self.segment = segment
        self.location = location
    }

    @inlinable var wire: WirePointer {
        WirePointer(raw: UInt64(littleEndian: location.loadUnaligned(as: UInt64.self)))
    }

    @inlinable func store(_ pointer: WirePointer, at slot: UnsafeMutableRawPointer) {
        slot.storeBytes(of: pointer.raw.littleEndian, as: UInt64.self)
    }

    @inlinable public var isNull: Bool { wire.isNull }

    // MARK: allocation

    /// Allocates `words` for a new object and writes the pointer `make(offset)` to reach it.
    @inlinable
    func allocateObject(words: Int, _ make: (Int) -> WirePointer) -> (segment: UInt32, target: UnsafeMutableRawPointer) {
        if !wire.isNull { clear() }
        let (segment, target, pointerSlot) = arena.allocate(words: words, for: segment, slot: location)
        store(make((target - pointerSlot - 8) / 8), at: pointerSlot)
        return (segment, target)
    }

    /// Makes a new struct here with every field at its default. For generated code (and the
    /// RPC layer): typed code says `MessageBuilder.initRoot(T.self)` or a field's `init…()`.
    @_spi(Generated) @inlinable
    public func initStruct(dataWords: Int, pointerCount: Int) -> StructBuilder {
        makeStruct(dataWords: dataWords, pointerCount: pointerCount)
    }

    /// `initStruct`'s body, for this module's public inlinable code (which cannot call SPI);
    /// inlinable itself, as `initStruct` was, so generated code still inlines it.
    @inlinable
    func makeStruct(dataWords: Int, pointerCount: Int) -> StructBuilder {
        if dataWords + pointerCount == 0 {
            if !wire.isNull { clear() }
            store(WirePointer.structPointer(offset: -1, dataWords: 0, pointerCount: 0), at: location)
            return StructBuilder(arena: arena, segment: segment, data: location, dataBits: 0, pointers: location,
                                 pointerCount: 0)
        }
        let (segment, target) = allocateObject(words: dataWords + pointerCount) {
            WirePointer.structPointer(offset: $0, dataWords: dataWords, pointerCount: pointerCount)
        }
        return StructBuilder(arena: arena, segment: segment, data: target, dataBits: dataWords * 64,
                             pointers: target + dataWords * 8, pointerCount: pointerCount)
    }

    /// Makes a new list of primitives or pointers here.
    @inlinable
    public func initList(_ elementSize: ElementSize, count: Int) -> ListBuilder {
        precondition(elementSize != .composite, "use initStructList for lists of structs")
        precondition(count >= 0 && count <= WireLimits.maxListElements, "a list holds at most 2^29-1 elements")
        let stepBits = elementSize.dataBits + elementSize.pointerCount * 64
        let (segment, target) = allocateObject(words: (count * stepBits + 63) / 64) {
            WirePointer.listPointer(offset: $0, elementSize: elementSize, count: count)
        }
        return ListBuilder(arena: arena, segment: segment, start: target, count: count, stepBits: stepBits,
                           structDataBits: elementSize.dataBits, structPointerCount: elementSize.pointerCount,
                           elementSize: elementSize)
    }

    /// Makes a new list of `count` structs here.
    @inlinable
    public func initStructList(count: Int, dataWords: Int, pointerCount: Int) -> ListBuilder {
        let wordsPerElement = dataWords + pointerCount
        precondition(count >= 0 && count * wordsPerElement <= WireLimits.maxListElements,
                     "a struct list holds at most 2^29-1 words")
        let (segment, target) = allocateObject(words: count * wordsPerElement + 1) {
            WirePointer.listPointer(offset: $0, elementSize: .composite, count: count * wordsPerElement)
        }
        store(WirePointer.compositeTag(elementCount: count, dataWords: dataWords, pointerCount: pointerCount), at: target)
        return ListBuilder(arena: arena, segment: segment, start: target + 8, count: count,
                           stepBits: wordsPerElement * 64, structDataBits: dataWords * 64,
                           structPointerCount: pointerCount, elementSize: .composite)
    }

    // MARK: following existing objects

    /// Resolves this slot's pointer, through far pointers, to the object's tag, segment and first word.
    @usableFromInline
    func follow() -> (tag: WirePointer, segment: UInt32, target: UnsafeMutableRawPointer, pad: (UnsafeMutableRawPointer, Int)?) {
        let pointer = wire
        if pointer.kind != WirePointer.farKind {
            return (pointer, segment, location + 8 + pointer.offset * 8, nil)
        }
        let pad = arena.segmentStart(pointer.farSegment) + pointer.farPadOffset * 8
        let first = WirePointer(raw: UInt64(littleEndian: pad.loadUnaligned(as: UInt64.self)))
        if !pointer.farIsDoubleFar {
            return (first, pointer.farSegment, pad + 8 + first.offset * 8, (pad, 1))
        }
        let tag = WirePointer(raw: UInt64(littleEndian: (pad + 8).loadUnaligned(as: UInt64.self)))
        return (tag, first.farSegment, arena.segmentStart(first.farSegment) + first.farPadOffset * 8, (pad, 2))
    }

    /// The struct here, made (from `fallback`, if given) when the slot is null. A struct written by an
    /// older schema is moved to a larger allocation so every field of this schema fits. Anything else
    /// (a list or capability copied in from a peer that disagrees with the schema) is replaced by a
    /// new struct: C++ throws here, and a getter cannot.
    @inlinable
    public func getStruct(dataWords: Int, pointerCount: Int, default fallback: PointerDefault? = nil) -> StructBuilder {
        if wire.isNull {
            guard let fallback, !fallback.reader.isNull else {
                return makeStruct(dataWords: dataWords, pointerCount: pointerCount)
            }
            try! copy(from: fallback.reader)  // compiled-in defaults are trusted and well-formed
        }
        if wire.kind != WirePointer.structKind && wire.kind != WirePointer.farKind {
            return makeStruct(dataWords: dataWords, pointerCount: pointerCount)
        }
        let (tag, segment, target, _) = follow()
        if tag.kind != WirePointer.structKind { return makeStruct(dataWords: dataWords, pointerCount: pointerCount) }
        let oldData = tag.structDataWords
        let oldPointers = tag.structPointerCount
        if oldData >= dataWords && oldPointers >= pointerCount {
            return StructBuilder(arena: arena, segment: segment, data: target, dataBits: oldData * 64,
                                 pointers: target + oldData * 8, pointerCount: oldPointers)
        }
        return upgradeStruct(to: max(oldData, dataWords), max(oldPointers, pointerCount))
    }

    @usableFromInline
    func upgradeStruct(to dataWords: Int, _ pointerCount: Int) -> StructBuilder {
        let (tag, oldSegment, oldTarget, pad) = follow()
        let oldData = tag.structDataWords
        let oldPointers = tag.structPointerCount
        if let (padStart, padWords) = pad { padStart.initializeMemory(as: UInt64.self, repeating: 0, count: padWords) }
        store(WirePointer(raw: 0), at: location)  // detach without zeroing: the content moves
        let fresh = makeStruct(dataWords: dataWords, pointerCount: pointerCount)
        fresh.data.copyMemory(from: oldTarget, byteCount: oldData * 8)
        for index in 0..<oldPointers {
            Self.transfer(arena: arena, from: oldSegment, oldTarget + oldData * 8 + index * 8, to: fresh._pointer(index))
        }
        oldTarget.initializeMemory(as: UInt64.self, repeating: 0, count: oldData + oldPointers)
        return fresh
    }

    /// Moves the pointer at `source` (in `sourceSegment`) to `destination` without moving its target.
    static func transfer(arena: MessageBuilder, from sourceSegment: UInt32, _ source: UnsafeMutableRawPointer,
                         to destination: PointerBuilder) {
        let pointer = WirePointer(raw: UInt64(littleEndian: source.loadUnaligned(as: UInt64.self)))
        defer { source.storeBytes(of: 0, as: UInt64.self) }
        if pointer.isNull || pointer.kind == WirePointer.farKind || pointer.kind == WirePointer.otherKind {
            destination.store(pointer, at: destination.location)  // position-independent
            return
        }
        let target = source + 8 + pointer.offset * 8
        if destination.segment == sourceSegment {
            destination.store(pointer.withOffset((target - destination.location - 8) / 8), at: destination.location)
        } else if let pad = arena.allocate(words: 1, inSegment: sourceSegment) {
            destination.store(pointer.withOffset((target - pad - 8) / 8), at: pad)
            destination.store(WirePointer.farPointer(padOffset: (pad - arena.segmentStart(sourceSegment)) / 8,
                                                     segment: sourceSegment, doubleFar: false), at: destination.location)
        } else {
            let (padSegment, pad) = arena.allocateAnywhere(words: 2)
            destination.store(WirePointer.farPointer(padOffset: (target - arena.segmentStart(sourceSegment)) / 8,
                                                     segment: sourceSegment, doubleFar: false), at: pad)
            destination.store(pointer.withOffset(0), at: pad + 8)
            destination.store(WirePointer.farPointer(padOffset: (pad - arena.segmentStart(padSegment)) / 8,
                                                     segment: padSegment, doubleFar: true), at: destination.location)
        }
    }

    /// The struct list here. A list written by an older schema (primitives, pointers, or smaller
    /// structs) is moved to a larger allocation so every field of this schema fits, as capnp's
    /// builders do; otherwise writes to the new fields would be dropped.
    public func getStructList(dataWords: Int, pointerCount: Int, default fallback: PointerDefault? = nil) -> ListBuilder {
        let list = getList(.composite, default: fallback)
        guard let start = list.start, list.elementSize != .bit else { return list }  // null, or a Bool list capnp refuses too
        let oldDataBytes = list.structDataBits / 8
        let oldPointers = list.structPointerCount
        if list.elementSize == .composite && oldDataBytes >= dataWords * 8 && oldPointers >= pointerCount { return list }
        let (_, _, _, pad) = follow()
        if let (padStart, padWords) = pad { padStart.initializeMemory(as: UInt64.self, repeating: 0, count: padWords) }
        store(WirePointer(raw: 0), at: location)  // detach without zeroing: the content moves
        let fresh = initStructList(count: list.count, dataWords: max(dataWords, (oldDataBytes + 7) / 8),
                                   pointerCount: max(pointerCount, oldPointers))
        for index in 0..<list.count {
            let old = start + index * list.stepBits / 8
            let element = fresh.structElement(index)
            if oldDataBytes > 0 { element.data.copyMemory(from: old, byteCount: oldDataBytes) }
            for slot in 0..<oldPointers {
                Self.transfer(arena: arena, from: list.segment, old + oldDataBytes + slot * 8, to: element._pointer(slot))
            }
        }
        if list.elementSize == .composite {
            (start - 8).initializeMemory(as: UInt64.self, repeating: 0, count: list.count * list.stepBits / 64 + 1)
        } else {
            start.initializeMemory(as: UInt64.self, repeating: 0, count: (list.count * list.stepBits + 63) / 64)
        }
        return fresh
    }

    /// The list here; a null slot yields `fallback` copied in, or an empty list. So does a slot holding
    /// something other than a list (copied in from a peer that disagrees with the schema); it is left as is.
    public func getList(_ expected: ElementSize, default fallback: PointerDefault? = nil) -> ListBuilder {
        if wire.isNull {
            guard let fallback, !fallback.reader.isNull else { return .empty(expected) }
            try! copy(from: fallback.reader)  // compiled-in defaults are trusted and well-formed
        }
        if wire.kind != WirePointer.listKind && wire.kind != WirePointer.farKind { return .empty(expected) }
        let (tag, segment, target, _) = follow()
        guard tag.kind == WirePointer.listKind else { return .empty(expected) }
        let size = tag.listElementSize
        if size == .composite {
            let elementTag = WirePointer(raw: UInt64(littleEndian: target.loadUnaligned(as: UInt64.self)))
            let dataWords = elementTag.structDataWords
            let pointerCount = elementTag.structPointerCount
            return ListBuilder(arena: arena, segment: segment, start: target + 8, count: elementTag.tagElementCount,
                               stepBits: (dataWords + pointerCount) * 64, structDataBits: dataWords * 64,
                               structPointerCount: pointerCount, elementSize: .composite)
        }
        return ListBuilder(arena: arena, segment: segment, start: target, count: tag.listElementCount,
                           stepBits: size.dataBits + size.pointerCount * 64, structDataBits: size.dataBits,
                           structPointerCount: size.pointerCount, elementSize: size)
    }

    // MARK: blobs

    /// Allocates a byte list of `count` bytes here; returns its first byte. No list view is made:
    /// text and data are set often, and each view would copy the arena reference.
    @inlinable
    func allocateBytes(_ count: Int) -> UnsafeMutableRawPointer {
        Self.allocateBytes(count, arena: arena, segment: segment, slot: location)
    }

    /// `allocateBytes` on a slot given by its parts, so a `StructBuilder` can set its own pointers
    /// without first copying its arena reference into a `PointerBuilder`.
    @inlinable @inline(__always)
    static func allocateBytes(_ count: Int, arena: MessageBuilder, segment: UInt32,
                              slot: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        precondition(count <= WireLimits.maxListElements, "a list holds at most 2^29-1 elements")
        if slot.loadUnaligned(as: UInt64.self) != 0 { clear(arena: arena, segment: segment, slot: slot) }
        let (_, target, pointerSlot) = arena.allocate(words: (count + 7) / 8, for: segment, slot: slot)
        let pointer = WirePointer.listPointer(offset: (target - pointerSlot - 8) / 8, elementSize: .byte, count: count)
        pointerSlot.storeBytes(of: pointer.raw.littleEndian, as: UInt64.self)
        return target
    }

    @usableFromInline @inline(never)
    static func clear(arena: MessageBuilder, segment: UInt32, slot: UnsafeMutableRawPointer) {
        PointerBuilder(arena: arena, segment: segment, location: slot).clear()
    }

    /// Writes `text` as NUL-terminated UTF-8.
    @inlinable
    public func setText(_ text: String) {
        Self.setText(text, arena: arena, segment: segment, slot: location)
    }

    @inlinable @inline(__always)
    static func setText(_ text: String, arena: MessageBuilder, segment: UInt32, slot: UnsafeMutableRawPointer) {
        // A native string lends its UTF-8 in place; `withUTF8` would first copy `text` into a var.
        if text.utf8.withContiguousStorageIfAvailable({ utf8 in
            writeText(utf8, arena: arena, segment: segment, slot: slot)
        }) != nil { return }
        var text = text
        text.withUTF8 { writeText($0, arena: arena, segment: segment, slot: slot) }
    }

    @inlinable @inline(__always)
    static func writeText(_ utf8: UnsafeBufferPointer<UInt8>, arena: MessageBuilder, segment: UInt32,
                          slot: UnsafeMutableRawPointer) {
        let target = allocateBytes(utf8.count + 1, arena: arena, segment: segment, slot: slot)
        if utf8.count > 0 { target.copyMemory(from: utf8.baseAddress!, byteCount: utf8.count) }
    }

    /// Writes `bytes` as Data.
    public func setData(_ bytes: UnsafeRawBufferPointer) {
        let target = allocateBytes(bytes.count)
        if bytes.count > 0 { target.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
    }

    public func setData(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { setData($0) }
    }

    /// Makes room for `count` bytes of Data and returns them, zeroed, to be filled in place.
    public func initData(count: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: allocateBytes(count), count: count)
    }

    /// The bytes of the Text or Data here (Text without its NUL), in place.
    public func blobBytes(default fallback: PointerDefault? = nil) -> UnsafeRawBufferPointer {
        if wire.isNull {
            guard let fallback else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            return (try? fallback.reader.readData().bytes) ?? UnsafeRawBufferPointer(start: nil, count: 0)
        }
        let list = getList(.byte)
        guard list.elementSize == .byte else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: list.start, count: list.count)
    }

    /// The Text here, as written.
    public func getText(default fallback: PointerDefault? = nil) -> String {
        if wire.isNull, let fallback { return (try? fallback.reader.readText()) ?? "" }
        let bytes = blobBytes()
        return String(decoding: bytes.prefix(max(bytes.count - 1, 0)), as: UTF8.self)
    }

    // MARK: capabilities and clearing

    /// Points this slot at entry `index` of the message's capability table.
    public func setCapability(_ index: UInt32) {
        if !wire.isNull { clear() }
        store(WirePointer.capability(index: index), at: location)
    }

    /// Appends `capability` to the message's capability table and points this slot at it; nil
    /// makes the slot a null pointer (a capability pointer to an empty table entry is not one).
    public func setCapability(entry capability: (any AnyObject & Sendable)?) {
        guard let capability else { return clear() }
        setCapability(arena.addCapability(capability))
    }

    public func readCapabilityIndex() -> UInt32? {
        let pointer = wire
        return pointer.isCapability ? pointer.capabilityIndex : nil
    }

    /// Sets the slot to null and zeroes everything it pointed to.
    public func clear() {
        let pointer = wire
        if pointer.isNull { return }
        if pointer.kind != WirePointer.otherKind {
            let (tag, segment, target, pad) = follow()
            Self.zeroObject(arena: arena, tag: tag, segment: segment, target: target)
            if let (padStart, padWords) = pad { padStart.initializeMemory(as: UInt64.self, repeating: 0, count: padWords) }
        }
        store(WirePointer(raw: 0), at: location)
    }

    static func zeroObject(arena: MessageBuilder, tag: WirePointer, segment: UInt32, target: UnsafeMutableRawPointer) {
        func zeroPointers(_ start: UnsafeMutableRawPointer, _ count: Int) {
            for index in 0..<count { PointerBuilder(arena: arena, segment: segment, location: start + index * 8).clear() }
        }
        if tag.kind == WirePointer.structKind {
            let dataWords = tag.structDataWords
            zeroPointers(target + dataWords * 8, tag.structPointerCount)
            target.initializeMemory(as: UInt64.self, repeating: 0, count: dataWords + tag.structPointerCount)
            return
        }
        let size = tag.listElementSize
        switch size {
        case .composite:
            let elementTag = WirePointer(raw: UInt64(littleEndian: target.loadUnaligned(as: UInt64.self)))
            let dataWords = elementTag.structDataWords
            let pointerCount = elementTag.structPointerCount
            for element in 0..<elementTag.tagElementCount {
                zeroPointers(target + 8 + (element * (dataWords + pointerCount) + dataWords) * 8, pointerCount)
            }
            target.initializeMemory(as: UInt64.self, repeating: 0, count: tag.listElementCount + 1)
        case .pointer:
            zeroPointers(target, tag.listElementCount)
        default:
            let words = (tag.listElementCount * size.dataBits + 63) / 64
            target.initializeMemory(as: UInt64.self, repeating: 0, count: words)
        }
    }

    // MARK: copying

    /// Deep-copies what `source` points to into this slot, checking it as any read does.
    public func copy(from source: PointerReader) throws(CapnpError) {
        if !wire.isNull { clear() }
        let pointer = source.wire
        guard let sourceArena = source.arena, !pointer.isNull else { return }
        if pointer.kind == WirePointer.otherKind {
            guard pointer.isCapability else {
                throw CapnpError(.wrongPointerType, "cannot copy a reserved 'other' pointer")
            }
            store(pointer, at: location)
            return
        }
        let (tag, _, _) = try sourceArena.follow(segment: source.segment, location: source.location!, pointer: pointer)
        if tag.kind == WirePointer.structKind {
            try copyStruct(from: try source.readStruct())
            return
        }
        let size = tag.listElementSize
        try copyList(from: try source.readList(expected: size))
    }

    /// Deep-copies a list into this slot, keeping its encoding.
    public func copyList(from list: ListReader) throws(CapnpError) {
        if !wire.isNull { clear() }
        if list.arena == nil { return }  // a null list stays null
        switch list.elementSize {
        case .composite:
            let dataWords = list.structDataBits / 64
            let built = initStructList(count: list.count, dataWords: dataWords, pointerCount: list.structPointerCount)
            for index in 0..<list.count {
                try built.structElement(index).copy(from: list.structElement(index))
            }
        case .pointer:
            let built = initList(.pointer, count: list.count)
            for index in 0..<list.count {
                try built.pointerElement(index).copy(from: list.pointerElement(index))
            }
        default:
            let built = initList(list.elementSize, count: list.count)
            let bytes = (list.count * list.elementSize.dataBits + 7) / 8
            if bytes > 0 { built.start!.copyMemory(from: list.start!, byteCount: bytes) }
        }
    }

    /// Deep-copies a struct into this slot, keeping its encoded size.
    public func copyStruct(from source: StructReader) throws(CapnpError) {
        let built = makeStruct(dataWords: (source.dataBits + 63) / 64, pointerCount: source.pointerCount)
        try built.copy(from: source)
    }
}

extension StructBuilder {
    /// Copies `source`'s fields into this struct: data up to the smaller section, pointers deeply.
    public func copy(from source: StructReader) throws(CapnpError) {
        let bytes = min(dataBits, source.dataBits) / 8
        if bytes > 0 { data.copyMemory(from: source.data!, byteCount: bytes) }
        for index in 0..<min(pointerCount, source.pointerCount) {
            try _pointer(index).copy(from: source._pointer(index))
        }
    }
}
