import PoundConfig

/// Pound's table of log formats (the six built-in ones, then `LogFormat` declarations in
/// order), compiled once, answering which formatter a `LogLevel` selects.
public struct RequestLogFormats: Sendable {
    /// Indexed like Pound's `http_log_tab`: `LogLevel N` selects `formatters[N]`.
    public let formatters: [RequestLogFormatter]
    /// The global `LogLevel` in force at the end of the configuration.
    public let globalLevel: LogLevel
    private let byName: [String: Int]

    public init(configuration: PoundConfiguration) {
        let user = configuration.logFormats.values.sorted { $0.index < $1.index }
        let all = LogFormat.builtIn + user
        formatters = all.map { RequestLogFormatter($0, anonymise: configuration.anonymise) }
        var names: [String: Int] = [:]
        for (i, f) in all.enumerated() where names[f.name] == nil { names[f.name] = i }
        byName = names
        globalLevel = configuration.defaults.logLevel
    }

    /// The formatter `level` selects, or nil when it logs nothing: level 0 (`null`), a
    /// format that renders no text, or a number past the table (Pound's
    /// `http_log_format_check` fails and `http_log` returns).
    public func formatter(for level: LogLevel) -> RequestLogFormatter? {
        let index: Int?
        switch level {
        case .number(let n): index = n
        case .named(let name): index = byName[name]
        }
        guard let index, formatters.indices.contains(index) else { return nil }
        let f = formatters[index]
        return f.isEmpty ? nil : f
    }

    /// The formatter for requests on `listener`: its own `LogLevel`, else the global one.
    public func formatter(for listener: Listener) -> RequestLogFormatter? {
        formatter(for: listener.logLevel ?? globalLevel)
    }
}

extension LogSuppressMask {
    /// Whether a service with this `LogSuppress` setting logs no line for `status`
    /// (Pound's `STATUS_MASK(code) & log_suppress_mask`).
    public func suppresses(status: Int) -> Bool {
        guard status >= 0, status < 1000 else { return false }
        return rawValue & (1 << (status / 100)) != 0
    }
}
