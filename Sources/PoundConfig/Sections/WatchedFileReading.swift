import PoundRegex

/// Reading the lists a file option names. The parser uses these at load time and the
/// runtime again whenever a `-filewatch` file changes, so both apply the same rules.
extension WatchedFile {
    /// The file's lines (without their newline), or the errno when it can't be opened.
    public func lines() -> Result<[String], SystemError> {
        FileSystem.readFile(path).map { bytes in
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            if bytes.last == UInt8(ascii: "\n") || bytes.isEmpty { lines.removeLast() }
            return lines
        }
    }

    /// Pound's `config_parse_acl_file`: one CIDR per line, blank lines and `#` comments
    /// skipped, an optional pair of surrounding quotes removed. A bad line is reported
    /// (at `DIR/NAME:LINE`) and left out.
    public func readACL(report: (Diagnostic) -> Void) -> Result<[CIDR], SystemError> {
        lines().map { lines in
            var entries: [CIDR] = []
            for (i, raw) in lines.enumerated() {
                if raw.isEmpty { continue }
                var line = ConfigFileSource.trimmed(Substring(raw))
                // Pound tests the untrimmed line for the comment sign.
                if line.isEmpty || raw.first == "#" { continue }
                if line.count >= 2, line.first == "\"", line.last == "\"" {
                    line = line.dropFirst().dropLast()
                }
                if let entry = ACL.parseCIDR(String(line), at: locus(line: i + 1), report: report) {
                    entries.append(entry)
                }
            }
            return entries
        }
    }

    /// Pound's `dyncond_read_internal`: one pattern per line (trimmed), blank lines and
    /// `#` comments skipped. A pattern that does not compile is reported and left out.
    public func readPatterns(kind: PatternKind, options: PatternOptions,
                             report: (Diagnostic) -> Void) -> Result<[Pattern], SystemError> {
        lines().map { lines in
            var patterns: [Pattern] = []
            for (i, raw) in lines.enumerated() {
                let line = ConfigFileSource.trimmed(Substring(raw))
                if line.isEmpty || line.first == "#" { continue }
                if let pattern = ConditionGroup.compile(String(line), kind: kind, options: options,
                                                        at: locus(line: i + 1), report: report) {
                    patterns.append(pattern)
                }
            }
            return patterns
        }
    }

    /// Pound's `basic_auth_read`: `user:hash` lines; leading blanks, `#` comments and
    /// lines without a colon skipped.
    public func readPasswords() -> Result<[(user: String, password: String)], SystemError> {
        FileSystem.readFile(path).map(ConditionGroup.parseHtpasswd)
    }
}
