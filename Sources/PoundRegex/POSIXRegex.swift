#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `-posix` patterns: POSIX extended regular expressions via `regcomp`.
///
/// `regex_t` must not move once compiled, hence the manual allocation; the
/// object is never mutated after `init`, and glibc's `regexec` serialises
/// concurrent callers on one `regex_t` internally, so sharing is safe.
final class POSIXRegex: PatternEngine, @unchecked Sendable {
    private let regex: UnsafeMutablePointer<regex_t>
    let groupCount: Int

    init(_ pattern: String, options: PatternOptions) throws(PatternError) {
        // Same flags as Pound: always ERE, never REG_NOSUB (sub-matches feed
        // back-references).
        var flags = REG_EXTENDED
        if options.contains(.caseInsensitive) { flags |= REG_ICASE }
        if options.contains(.multiline) { flags |= REG_NEWLINE }

        let regex = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        regex.initialize(to: regex_t())
        // withCString stops at an embedded NUL just as Pound's C strings do.
        let rc = CLocale.run { pattern.withCString { regcomp(regex, $0, flags) } }
        guard rc == 0 else {
            // Pound formats the message into a 128-byte buffer; glibc's
            // messages are all shorter, but keep the same cap for parity.
            var buffer = [CChar](repeating: 0, count: 128)
            _ = regerror(rc, regex, &buffer, buffer.count)
            // glibc releases its internals itself when regcomp fails.
            regex.deinitialize(count: 1)
            regex.deallocate()
            let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
                                 as: UTF8.self)
            throw PatternError(message: message, offset: 0)
        }
        self.regex = regex
        self.groupCount = Int(regex.pointee.re_nsub)
    }

    deinit {
        regfree(regex)
        regex.deinitialize(count: 1)
        regex.deallocate()
    }

    func matches(_ subject: UnsafeRawBufferPointer) -> Bool {
        var bounds = regmatch_t()
        return execute(subject, slots: &bounds, count: 1, report: 0)
    }

    func firstMatch(in subject: UnsafeRawBufferPointer) -> PatternMatch? {
        let slots = groupCount + 1
        return withUnsafeTemporaryAllocation(of: regmatch_t.self, capacity: slots) { buffer in
            let base = buffer.baseAddress!
            guard execute(subject, slots: base, count: slots, report: slots) else { return nil }
            var groups: [Range<Int>?] = []
            groups.reserveCapacity(slots)
            for index in 0..<slots {
                let slot = buffer[index]
                groups.append(slot.rm_so < 0 ? nil : Int(slot.rm_so)..<Int(slot.rm_eo))
            }
            return PatternMatch(groups: groups)
        }
    }

    /// REG_STARTEND (a glibc/BSD extension) bounds the subject by
    /// `slots[0]` instead of a terminating NUL, which lets us match straight
    /// out of a request buffer without copying it.
    private func execute(_ subject: UnsafeRawBufferPointer, slots: UnsafeMutablePointer<regmatch_t>,
                         count: Int, report: Int) -> Bool {
        slots.initialize(repeating: regmatch_t(), count: count)
        slots[0].rm_so = 0
        slots[0].rm_eo = regoff_t(clamping: subject.count)
        let text = subject.baseAddress!.assumingMemoryBound(to: CChar.self)
        let rc = CLocale.run { regexec(regex, text, report, slots, REG_STARTEND) }
        return rc == 0
    }
}
