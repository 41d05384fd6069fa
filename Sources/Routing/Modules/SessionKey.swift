/// Pound's KEY_SIZE: session keys are cut to 127 bytes, whichever module made them.
enum SessionKey {
    static let maxBytes = 127

    static func truncated(_ key: String) -> String {
        key.utf8.count <= maxBytes ? key : String(decoding: key.utf8.prefix(maxBytes), as: UTF8.self)
    }
}
