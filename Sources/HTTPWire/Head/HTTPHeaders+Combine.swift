extension HTTPHeaders {
    /// Pound's `CombineHeaders`: every header whose name is listed (case-insensitively)
    /// is merged into its first occurrence, the list elements of all occurrences joined
    /// with ", " and empty elements dropped (also when the header occurs once); quoted
    /// strings stay whole. The first occurrence keeps its place and spelling.
    public mutating func combine(_ names: [String]) {
        guard !names.isEmpty else { return }
        var i = 0
        while i < fields.count {
            let name = fields[i].name
            guard names.contains(where: { ASCII.equalsIgnoringCase($0, name) }),
                  !fields[..<i].contains(where: { $0.hasName(name) })
            else {
                i += 1
                continue
            }
            var elements: [String] = []
            Self.appendElements(of: fields[i].value, to: &elements)
            var j = i + 1
            while j < fields.count {
                if fields[j].hasName(name) {
                    Self.appendElements(of: fields[j].value, to: &elements)
                    fields.remove(at: j)
                } else {
                    j += 1
                }
            }
            fields[i].value = elements.joined(separator: ", ")
            i += 1
        }
    }

    private static func appendElements(of value: String, to elements: inout [String]) {
        var value = value
        value.withUTF8 { utf8 in
            _ = FieldList.first(in: UnsafeRawBufferPointer(utf8)) { element, _ in
                elements.append(String(decoding: element, as: UTF8.self))
                return false
            }
        }
    }
}
