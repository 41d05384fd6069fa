// STUB: owned by the listeners helper.
extension LogLevel {
    /// `LogLevel 0-5|"name"` (global or per listener).
    public static func parse(_ p: ConfigParser) throws -> LogLevel {
        .number(try p.int())
    }
}

extension LogFormat {
    /// Top-level `LogFormat "name" "format"`.
    public static func statement() -> Statement<[String: LogFormat]> {
        Statement("LogFormat") { p, _ in throw p.fail("LogFormat: not implemented") }
    }
}

extension HeaderOptions {
    /// `HeaderOption [no-]forwarded [no-]ssl all none`, starting from `current`.
    public static func parse(_ p: ConfigParser, current: HeaderOptions) throws -> HeaderOptions {
        throw p.fail("HeaderOption: not implemented")
    }
}
