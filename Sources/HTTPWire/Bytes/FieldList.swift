/// Walks a comma-separated header value (`#element` lists of RFC 9110 §5.6.1) the way
/// Pound's `field_list_filter` does: commas inside double quotes do not split, elements
/// are trimmed of blanks, empty elements are skipped.
enum FieldList {
    /// Calls `body(element, endOffset)` for every non-empty element; `endOffset` is where
    /// the element's segment ends in `value` (at its comma or the end). Stops when `body`
    /// returns true and returns true in that case.
    @inline(__always)
    static func first(
        in value: UnsafeRawBufferPointer,
        where body: (UnsafeRawBufferPointer, Int) -> Bool
    ) -> Bool {
        let n = value.count
        var i = 0
        while i < n {
            // Segment start..<end ends at an unquoted comma.
            let start = i
            while i < n {
                let b = value[i]
                if b == ASCII.comma { break }
                if b == ASCII.quote {
                    i += 1
                    while i < n {
                        let q = value[i]
                        if q == ASCII.quote { break }
                        if q == ASCII.backslash { i += 1 }
                        i += 1
                    }
                    if i < n { i += 1 }
                    continue
                }
                i += 1
            }
            let end = min(i, n)
            var s = start
            var e = end
            while s < e && ASCII.isBlank(value[s]) { s += 1 }
            while e > s && ASCII.isBlank(value[e - 1]) { e -= 1 }
            if s < e, body(UnsafeRawBufferPointer(rebasing: value[s..<e]), end) {
                return true
            }
            i = end + 1
        }
        return false
    }

    /// True when the list in `value` has an element equal to `lowercaseToken`, ignoring case.
    static func contains(_ value: UnsafeRawBufferPointer, token lowercaseToken: StaticString) -> Bool {
        first(in: value) { element, _ in
            ASCII.equalsIgnoringCase(element, lowercaseToken)
        }
    }
}
