import PoundConfig

/// A listener's request log: its format and where lines go. Pound's `http_log`:
/// nothing for an empty format or a status class the service suppresses, otherwise one
/// info-level message per request.
public struct RequestLogger: Sendable {
    /// nil: this listener logs no requests (`LogLevel 0`).
    public let formatter: RequestLogFormatter?
    public let sink: LogSink

    public init(formatter: RequestLogFormatter?, sink: LogSink) {
        self.formatter = formatter
        self.sink = sink
    }

    /// The logger for `listener` under `formats`.
    public init(listener: Listener, formats: RequestLogFormats, sink: LogSink) {
        self.init(formatter: formats.formatter(for: listener), sink: sink)
    }

    /// False when `log` would never write anything: the engine can skip building records.
    public var isEnabled: Bool { formatter != nil }

    /// Writes the line for `record`, unless the selected service's `LogSuppress` covers
    /// its status.
    public func log(_ record: RequestLogRecord, suppress: LogSuppressMask = []) {
        guard let formatter, !suppress.suppresses(status: record.statusCode) else { return }
        var line: [UInt8] = []
        line.reserveCapacity(256)
        formatter.append(record, to: &line)
        sink.log(.info, utf8: line)
    }
}
