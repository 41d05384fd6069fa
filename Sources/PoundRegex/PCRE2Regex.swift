import CPCRE2

/// `-pcre` / `-perl` patterns, compiled with PCRE2 and JIT-compiled when the
/// platform allows it.
///
/// Like Pound, patterns are compiled without PCRE2_UTF: subjects are raw
/// bytes (`.` matches one byte, caseless matching is ASCII-only) and no
/// UTF-8 validity check can make a request fail to match. A compiled
/// `pcre2_code` is read-only during matching, so one instance serves any
/// number of threads as long as each call has its own match data.
final class PCRE2Regex: PatternEngine, @unchecked Sendable {
    private let code: OpaquePointer
    let groupCount: Int

    init(_ pattern: String, options: PatternOptions) throws(PatternError) {
        var flags: UInt32 = 0
        if options.contains(.caseInsensitive) { flags |= PCRE2_CASELESS }
        if options.contains(.multiline) { flags |= PCRE2_MULTILINE }

        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        // Zero-terminated length, so an embedded NUL ends the pattern exactly
        // where it would in Pound.
        let compiled = pattern.withCString { text in
            text.withMemoryRebound(to: UInt8.self, capacity: 1) {
                pcre2_compile_8($0, cpcre2_zero_terminated(), flags, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw PatternError(message: PCRE2Regex.errorMessage(errorCode), offset: errorOffset)
        }
        // JIT is an optimisation only: if it is unavailable (e.g. an
        // architecture or a security policy without executable memory),
        // pcre2_match silently uses the interpreter.
        _ = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE)

        var captures: UInt32 = 0
        if pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &captures) != 0 {
            captures = 0
        }
        self.code = compiled
        self.groupCount = Int(captures)
    }

    deinit {
        pcre2_code_free_8(code)
    }

    func matches(_ subject: UnsafeRawBufferPointer) -> Bool {
        // One ovector pair is enough to learn whether it matched; PCRE2 then
        // returns 0 ("ovector too small") instead of the pair count.
        guard let data = pcre2_match_data_create_8(1, nil) else { return false }
        defer { pcre2_match_data_free_8(data) }
        return execute(subject, data) >= 0
    }

    func firstMatch(in subject: UnsafeRawBufferPointer) -> PatternMatch? {
        guard let data = pcre2_match_data_create_from_pattern_8(code, nil) else { return nil }
        defer { pcre2_match_data_free_8(data) }
        let pairs = execute(subject, data)
        guard pairs > 0 else { return nil }

        let unset = cpcre2_unset()
        let ovector = pcre2_get_ovector_pointer_8(data)!
        var groups: [Range<Int>?] = []
        groups.reserveCapacity(groupCount + 1)
        for index in 0...groupCount {
            // Pairs past the returned count belong to trailing groups that
            // did not participate; PCRE2 marks inner ones with PCRE2_UNSET.
            let start = ovector[2 * index]
            if index >= Int(pairs) || start == unset {
                groups.append(nil)
            } else {
                groups.append(start..<ovector[2 * index + 1])
            }
        }
        return PatternMatch(groups: groups)
    }

    /// Returns pcre2_match's result: > 0 pairs set, 0 matched with a short
    /// ovector, < 0 no match or error (Pound treats every error as no match).
    private func execute(_ subject: UnsafeRawBufferPointer, _ data: OpaquePointer) -> Int32 {
        let text = subject.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let rc = pcre2_match_8(code, text, subject.count, 0, 0, data, nil)
        guard rc == PCRE2_ERROR_JIT_STACKLIMIT else { return rc }
        // The JIT runs on a small fixed stack; the interpreter keeps its
        // backtracking state on the heap and copes with deep recursion, which
        // is what Pound (no JIT) would have done with this subject.
        return pcre2_match_8(code, text, subject.count, 0, PCRE2_NO_JIT, data, nil)
    }

    private static func errorMessage(_ code: Int32) -> String {
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let length = pcre2_get_error_message_8(code, &buffer, buffer.count)
            if length == PCRE2_ERROR_NOMEMORY {
                capacity *= 2
                continue
            }
            guard length >= 0 else { return "unknown PCRE2 error \(code)" }
            return String(decoding: buffer.prefix(Int(length)), as: UTF8.self)
        }
    }
}
