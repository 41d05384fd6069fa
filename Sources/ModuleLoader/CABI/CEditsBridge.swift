import CPounceModuleABI
import PounceModuleAPI

/// Presents a Swift `HeaderEdits` to C as a `pounce_edits` for the length of one call:
/// `host` points at the edits, and the callbacks (plain C function pointers, which
/// capture nothing) find them through it and append to them.
enum CEditsBridge {
    static func withEdits<Result>(_ edits: inout HeaderEdits,
                                  _ body: (UnsafeMutablePointer<pounce_edits>) -> Result) -> Result {
        withUnsafeMutablePointer(to: &edits) { host in
            var cEdits = pounce_edits(
                set_header: { cEdits, name, value, length in
                    guard let edits = CEditsBridge.target(cEdits), let name else { return }
                    edits.pointee.set(String(cString: name), value.map { CEditsBridge.text($0, length) })
                },
                append_header: { cEdits, name, value, length in
                    // A NULL value has nothing to append; the ABI gives it no meaning.
                    guard let edits = CEditsBridge.target(cEdits), let name, let value else { return }
                    edits.pointee.append(String(cString: name), CEditsBridge.text(value, length))
                },
                host: UnsafeMutableRawPointer(host))
            return withUnsafeMutablePointer(to: &cEdits) { body($0) }
        }
    }

    /// The Swift edits behind a `pounce_edits` the bridge made.
    private static func target(_ cEdits: UnsafeMutablePointer<pounce_edits>?) -> UnsafeMutablePointer<HeaderEdits>? {
        cEdits?.pointee.host?.assumingMemoryBound(to: HeaderEdits.self)
    }

    /// A byte range as text; bytes that are no UTF-8 become U+FFFD rather than being lost.
    private static func text(_ bytes: UnsafePointer<CChar>, _ length: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self)
    }
}
