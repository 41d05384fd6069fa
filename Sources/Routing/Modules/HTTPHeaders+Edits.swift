import HTTPWire
import PounceModuleAPI

extension HTTPHeaders {
    /// A client-affinity module's edits, in order. A module's names and values are checked
    /// first: a name that is not a token, or a value with CR, LF or NUL, is dropped, so no
    /// module can split a message or smuggle a header line into it.
    mutating func apply(_ edits: HeaderEdits) {
        for edit in edits.edits {
            switch edit {
            case .replace(let name, let values):
                guard Self.isToken(name) else { continue }
                let kept = values.filter(Self.isFieldValue)
                guard let first = firstIndex(name) else {
                    for value in kept { append(name, value) }
                    continue
                }
                var result = Array(fields[..<first])
                result += kept.map { HTTPHeaderField(name: name, value: $0) }
                result += fields[(first + 1)...].filter { !$0.hasName(name) }
                fields = result
            case .append(let name, let value):
                if Self.isToken(name), Self.isFieldValue(value) { append(name, value) }
            }
        }
    }

    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { c in
            c > 0x20 && c < 0x7F && !"()<>@,;:\\\"/[]?={}".utf8.contains(c)
        }
    }

    private static func isFieldValue(_ value: String) -> Bool {
        !value.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    }
}
