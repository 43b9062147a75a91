// One accessor per field: data fields read in place (inlinable), pointer fields through their PointerType.

import Capnp

extension SwiftEmitter {
    /// The default of a pointer field, as a file-scope `PointerDefault`, or "nil".
    private mutating func pointerDefault(_ field: Field.Reader, scope: UInt64) throws -> String {
        let slot = field.slot
        guard slot.hadExplicitDefault, let pointer = Values.pointer(try slot.defaultValue), !pointer.isNull else {
            return "nil"
        }
        return pointerDefault(try Values.words(of: pointer), node: scope, name: try field.name)
    }

    /// `, default: x` for a data field whose default is not zero.
    private func dataDefault(_ field: Field.Reader) throws -> String {
        let value = try field.slot.defaultValue
        return Values.isZero(value) ? "" : ", default: \(Values.literal(value))"
    }

    /// `which == <field>`, for a union member's `has<Field>`: a member not selected has no value.
    private func selectedTest(_ field: Field.Reader, discriminant: Int, view: String) -> String {
        field.discriminantValue == 0xFFFF ? "" : "\(view)._read(\(discriminant)) as UInt16 == \(field.discriminantValue) && "
    }

    mutating func emitReaderField(_ field: Field.Reader, position: Int, names: MemberNames, doc: String?, scope: UInt64,
                                  discriminant: Int) throws {
        let rawName = try field.name
        let name = names.field[position]!
        if field.which == .group {
            let group = index.names[field.group.typeId]!
            out.doc(doc)
            out.line("public var \(name): \(group).Reader { \(group).Reader(structReader) }")
            return
        }
        let slot = field.slot
        let offset = Int(slot.offset)
        switch try types.kind(of: try slot.type, in: scope) {
        case .void:
            return
        case .bool:
            out.doc(doc)
            out.line("@inlinable public var \(name): Bool { structReader._readBool(\(offset)\(try dataDefault(field))) }")
            return
        case .number(let type):
            out.doc(doc)
            let read = type == "Float" ? "readFloat32" : type == "Double" ? "readFloat64" : "read"
            out.line("@inlinable public var \(name): \(type) { structReader._\(read)(\(offset)\(try dataDefault(field))) }")
            return
        case .enum(let type):
            out.doc(doc)
            out.line("@inlinable public var \(name): \(type) { \(type)(rawValue: structReader._read(\(offset)\(try dataDefault(field)))) }")
            return
        case .text:
            let fallback = try defaultArgument(field, scope, after: true)
            try emitPointerGetter(name, doc: doc, type: "String", read: "structReader._readText(\(offset)\(fallback))",
                                  inlinable: fallback.isEmpty)
            try emitPointerGetter(names.bytes[position]!, doc: "The UTF-8 bytes of `\(rawName)`, in place: no copy, no validation.",
                                  type: "Capnp.DataReader", read: "structReader._readTextView(\(offset)\(fallback))",
                                  inlinable: fallback.isEmpty)
        case .data:
            let fallback = try defaultArgument(field, scope, after: true)
            try emitPointerGetter(name, doc: doc, type: "Capnp.DataReader", read: "structReader._readData(\(offset)\(fallback))",
                                  inlinable: fallback.isEmpty)
        case .pointer(_, .anyPointer):
            out.doc(doc)
            out.line("public var \(name): Capnp.PointerReader { structReader._pointer(\(offset)) }")
        case .pointer(let type, .interface) where usesRPC:
            out.doc(doc)
            out.line("public var \(name): \(type).Client { structReader._pointer(\(offset)).readClient(\(type).Client.self) }")
        case .pointer(let type, _):
            try emitPointerGetter(name, doc: doc, type: "\(type).Reader",
                                  read: "\(type)._read(structReader._pointer(\(offset)), default: \(try pointerDefault(field, scope: scope)))")
        }
        let selected = selectedTest(field, discriminant: discriminant, view: "structReader")
        out.line("public var \(names.has[position]!): Bool { \(selected)!structReader._pointer(\(offset)).isNull }")
    }

    /// `default: x` for a pointer field with a default (`, default: x` to follow another argument), or "".
    private mutating func defaultArgument(_ field: Field.Reader, _ scope: UInt64, after: Bool = false) throws -> String {
        let fallback = try pointerDefault(field, scope: scope)
        return fallback == "nil" ? "" : "\(after ? ", " : "")default: \(fallback)"
    }

    /// `inlinable` where `read` names nothing private (a default's constant is). Always inlined: left to
    /// itself the compiler kept a call per read, and a retain of the message even for a struct the caller
    /// already holds (callgrind, P5).
    private mutating func emitPointerGetter(_ name: String, doc: String?, type: String, read: String,
                                            inlinable: Bool = false) throws {
        out.doc(doc)
        out.line("\(inlinable ? "@inlinable @inline(__always) " : "")public var \(name): \(type) {")
        out.line("    get throws(Capnp.CapnpError) { try \(read) }")
        out.line("}")
    }

    mutating func emitBuilderField(_ field: Field.Reader, position: Int, names: MemberNames, doc: String?, scope: UInt64,
                                   discriminant: Int) throws {
        let name = names.field[position]!
        let initName = names.initializer[position]!
        let setName = names.setter[position]!
        let isMember = field.discriminantValue != 0xFFFF
        // Setting a union member also selects it.
        let select = isMember ? "structBuilder._write(\(discriminant), UInt16(\(field.discriminantValue))); " : ""
        if field.which == .group {
            let groupId = field.group.typeId
            let group = index.names[groupId]!
            out.doc(doc)
            out.line("public var \(name): \(group).Builder { \(group).Builder(structBuilder) }")
            if isMember {
                out.line("public func \(initName)() -> \(group).Builder {")
                out.indent()
                out.line(select.trimmingTrailingSpaces)
                try emitClear(group: groupId)
                out.line("return \(group).Builder(structBuilder)")
                out.dedent()
                out.line("}")
            }
            return
        }
        let slot = field.slot
        let offset = Int(slot.offset)
        let pointer = "structBuilder._pointer(\(offset))"
        let kind = try types.kind(of: try slot.type, in: scope)
        switch kind {
        case .void:
            if isMember {
                out.doc(doc)
                out.line("public func \(setName)() { \(select.trimmingTrailingSpaces) }")
            }
            return
        case .bool:
            let fallback = try dataDefault(field)
            emitDataProperty(name, doc: doc, type: "Bool", get: "structBuilder._readBool(\(offset)\(fallback))",
                             set: "\(select)structBuilder._writeBool(\(offset), newValue\(fallback))")
            return
        case .number(let type):
            let fallback = try dataDefault(field)
            let suffix = type == "Float" ? "Float32" : type == "Double" ? "Float64" : ""
            emitDataProperty(name, doc: doc, type: type, get: "structBuilder._read\(suffix)(\(offset)\(fallback))",
                             set: "\(select)structBuilder._write\(suffix)(\(offset), newValue\(fallback))")
            return
        case .enum(let type):
            let fallback = try dataDefault(field)
            emitDataProperty(name, doc: doc, type: type, get: "\(type)(rawValue: structBuilder._read(\(offset)\(fallback)))",
                             set: "\(select)structBuilder._write(\(offset), newValue.rawValue\(fallback))")
            return
        case .text:
            let fallback = try defaultArgument(field, scope)
            out.doc(doc)
            out.line("public var \(name): String {")
            out.line("    get { \(pointer).getText(\(fallback)) }")
            out.line("    nonmutating set { \(select)structBuilder._setText(\(offset), newValue) }")
            out.line("}")
        case .data:
            let fallback = try defaultArgument(field, scope)
            out.doc(doc)
            // A view, as the Reader's is; set it from another view or, with `set<Field>`, from bytes.
            out.line("public var \(name): Capnp.DataReader {")
            out.line("    get { \(pointer).dataView(\(fallback)) }")
            out.line("    nonmutating set { \(select)newValue.withUnsafeBytes { \(pointer).setData($0) } }")
            out.line("}")
            out.line("/// Sets `\(name)` to a copy of `bytes`.")
            out.line("public func \(setName)(_ bytes: [UInt8]) { \(select)\(pointer).setData(bytes) }")
            out.line("/// Makes room for `count` bytes, to be filled in place.")
            out.line("public func \(initName)(count: Int) -> UnsafeMutableRawBufferPointer {")
            out.line("    \(select)return \(pointer).initData(count: count)")
            out.line("}")
        case .pointer(_, .anyPointer), .pointer(_, .anyStruct), .pointer(_, .interface):
            out.doc(doc)
            out.line("public var \(name): Capnp.PointerBuilder { \(select)return \(pointer) }")
            if case .pointer(let type, .interface) = kind, usesRPC {
                out.line("public func \(setName)(_ client: \(type).Client?) {")
                out.line("    \(select)\(pointer).setClient(client)")
                out.line("}")
            }
        case .pointer(let type, let kind):
            let fallback = try pointerDefault(field, scope: scope)
            out.doc(doc)
            // A parameter-typed member has no init to select it, so its getter does (as AnyPointer's does).
            let selectOnGet = kind == .parameter && !select.isEmpty ? select + "return " : ""
            out.line("public var \(name): \(type).Builder { \(selectOnGet)\(type)._builder(\(pointer), default: \(fallback)) }")
            switch kind {
            case .struct:
                out.line("public func \(initName)() -> \(type).Builder {")
                out.line("    \(select)return \(type).initialize(\(pointer))")
                out.line("}")
            case .list:
                out.line("public func \(initName)(count: Int) -> \(type).Builder {")
                out.line("    \(select)return \(type).initialize(\(pointer), count: count)")
                out.line("}")
            default:
                break
            }
            out.line("public func \(setName)(_ value: \(type).Reader) throws(Capnp.CapnpError) {")
            out.line("    \(select)try \(type)._set(\(pointer), to: value)")
            out.line("}")
            if kind == .parameter {
                emitParameterForms(parameter: type, builder: extensionName(scope) + ".Builder", name: name, initName: initName,
                                   setName: setName, pointer: pointer, select: select, doc: doc)
            }
        }
        let selected = selectedTest(field, discriminant: discriminant, view: "structBuilder")
        out.line("public var \(names.has[position]!): Bool { \(selected)!\(pointer).isNull }")
    }

    /// For a field whose type is a type parameter, what the bound type allows once it is known:
    /// a settable Text, a Data set from bytes, `init<Field>()` for a struct, `init<Field>(count:)`
    /// for a list; none of them throws.
    private mutating func emitParameterForms(parameter: String, builder: String, name: String, initName: String,
                                             setName: String, pointer: String, select: String, doc: String?) {
        var forms = CodeWriter()
        forms.line()
        forms.line("extension \(builder) where \(parameter) == Capnp.Text {")
        forms.indent()
        forms.doc(doc)
        forms.line("public var \(name): String {")
        forms.line("    get { \(pointer).getText() }")
        forms.line("    nonmutating set { \(select)\(pointer).setText(newValue) }")
        forms.line("}")
        forms.dedent()
        forms.line("}")
        forms.line()
        forms.line("extension \(builder) where \(parameter) == Capnp.Bytes {")
        forms.line("    /// Sets `\(name)` to a copy of `bytes`.")
        forms.line("    public func \(setName)(_ bytes: [UInt8]) { \(select)\(pointer).setData(bytes) }")
        forms.line("    /// Makes room for `count` bytes, to be filled in place.")
        forms.line("    public func \(initName)(count: Int) -> UnsafeMutableRawBufferPointer {")
        forms.line("        \(select)return \(pointer).initData(count: count)")
        forms.line("    }")
        forms.line("}")
        forms.line()
        forms.line("extension \(builder) where \(parameter): Capnp.StructType {")
        forms.line("    public func \(initName)() -> \(parameter).Builder {")
        forms.line("        \(select)return \(parameter).initialize(\(pointer))")
        forms.line("    }")
        forms.line("}")
        forms.line()
        forms.line("extension \(builder) {")
        forms.line("    public func \(initName)<Element>(count: Int) -> Capnp.List<Element>.Builder where \(parameter) == Capnp.List<Element> {")
        forms.line("        \(select)return Capnp.List<Element>.initialize(\(pointer), count: count)")
        forms.line("    }")
        forms.line("}")
        fileScopeAPI.lines(forms.text)
    }

    /// An inlinable data-field property of a Builder: read and write in place.
    private mutating func emitDataProperty(_ name: String, doc: String?, type: String, get: String, set: String) {
        out.doc(doc)
        out.line("@inlinable public var \(name): \(type) {")
        out.line("    get { \(get) }")
        out.line("    nonmutating set { \(set) }")
        out.line("}")
    }

    /// Resets every field of a group (recursively) to its default, as selecting a union group must.
    private mutating func emitClear(group: UInt64) throws {
        let node = try index.node(group)
        if node.struct_.discriminantCount > 0 {
            out.line("structBuilder._write(\(node.struct_.discriminantOffset), UInt16(0))")
        }
        for field in try node.struct_.fields {
            if field.which == .group {
                try emitClear(group: field.group.typeId)
                continue
            }
            let offset = Int(field.slot.offset)
            switch try types.kind(of: try field.slot.type, in: group) {
            case .void: break
            case .bool: out.line("structBuilder._writeBool(\(offset), false)")
            case .number(let type):
                let bits = type == "Float" ? "UInt32" : type == "Double" ? "UInt64" : type
                out.line("structBuilder._write(\(offset), \(bits)(0))")
            case .enum: out.line("structBuilder._write(\(offset), UInt16(0))")
            case .text, .data, .pointer: out.line("structBuilder._pointer(\(offset)).clear()")
            }
        }
    }
}
