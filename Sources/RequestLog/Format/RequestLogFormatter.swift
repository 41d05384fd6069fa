#if canImport(Glibc)
import Glibc
#endif
import HTTPWire
import PoundConfig

/// Renders request-log lines for one `LogFormat`, byte for byte as Pound 4.23 does
/// (`http_log` and the `i_*` printers in Pound's log.c).
///
/// The format is compiled once into a list of operations with literal text already in
/// UTF-8 and header names already lowercased; rendering appends bytes to one buffer and
/// touches the request only for the specifiers the format uses. `%t` formats the local
/// time once per second per thread (see `LogTimeCache`).
public struct RequestLogFormatter: Sendable {
    /// The format this formatter renders.
    public let format: LogFormat
    /// `Anonymise`: `%a` has its last address component replaced by 0.
    public let anonymise: Bool
    private let operations: [Operation]

    public init(_ format: LogFormat, anonymise: Bool = false) {
        self.format = format
        self.anonymise = anonymise
        self.operations = format.segments.map { Operation($0, anonymise: anonymise) }
    }

    /// True for a format that prints nothing (`LogLevel 0`, `null`): Pound then writes no
    /// line at all, not an empty one.
    public var isEmpty: Bool { operations.isEmpty }

    /// The line for `record`, without a newline.
    public func format(_ record: RequestLogRecord) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        append(record, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the line for `record` (without a newline) to `out`.
    public func append(_ record: RequestLogRecord, to out: inout [UInt8]) {
        for op in operations {
            op.render(record, into: &out)
        }
    }
}

extension RequestLogFormatter {
    /// One compiled format segment.
    enum Operation: Sendable {
        case literal([UInt8])
        case clientAddress(anonymise: Bool)
        case peerAddress
        case localAddress
        case responseSize(clf: Bool)
        case processingTime(LogFormatSegment.TimeUnit)
        case scheme
        /// `needle` is the lowercased header name.
        case header(needle: [UInt8], clf: Bool)
        case dash
        case objectName(LogFormatSegment.PoundObject)
        case objectLocation(LogFormatSegment.PoundObject)
        case method
        case listenerPort
        case threadID
        case query
        case requestLine
        case status(fullLine: Bool)
        case time(LogFormatSegment.TimeFormat, atEnd: Bool)
        case userName
        case urlPath
        case serverName

        init(_ segment: LogFormatSegment, anonymise: Bool) {
            switch segment {
            case .literal(let s): self = .literal(Array(s.utf8))
            case .clientAddress: self = .clientAddress(anonymise: anonymise)
            case .remoteAddress: self = .peerAddress
            case .localAddress: self = .localAddress
            case .responseSize(let clf): self = .responseSize(clf: clf)
            case .processingTime(let unit): self = .processingTime(unit)
            case .proto: self = .scheme
            case .requestHeader(let name, let clf): self = .header(needle: ASCII.lowercased(name), clf: clf)
            case .remoteLogName: self = .dash
            case .objectName(let o): self = .objectName(o)
            case .objectLocation(let o): self = .objectLocation(o)
            case .method: self = .method
            case .listenerPort: self = .listenerPort
            case .threadID: self = .threadID
            case .query: self = .query
            case .requestLine: self = .requestLine
            case .status(let full): self = .status(fullLine: full)
            case .time(let f, let atEnd): self = .time(f, atEnd: atEnd)
            case .userName: self = .userName
            case .urlPath: self = .urlPath
            case .serverName: self = .serverName
            }
        }

        func render(_ r: RequestLogRecord, into out: inout [UInt8]) {
            switch self {
            case .literal(let bytes):
                out.append(contentsOf: bytes)
            case .clientAddress(let anonymise):
                if anonymise {
                    ClientAddressText.appendAnonymised(r.clientAddress, to: &out)
                } else {
                    out.append(contentsOf: r.clientAddress.utf8)
                }
            case .peerAddress:
                out.append(contentsOf: r.peerAddress.utf8)
            case .localAddress:
                out.append(contentsOf: r.listener.address.utf8)
            case .responseSize(let clf):
                if clf && r.responseBytes == 0 {
                    out.append(UInt8(ascii: "-"))
                } else {
                    Digits.append(r.responseBytes, to: &out)
                }
            case .processingTime(let unit):
                Self.appendElapsed(from: r.startTime, to: r.endTime, unit: unit, into: &out)
            case .scheme:
                out.append(contentsOf: r.isTLS ? Self.https : Self.http)
            case .header(let needle, let clf):
                if let value = HeaderLookup.first(needle, in: r.request.headers) {
                    out.append(contentsOf: value.utf8)
                } else if clf {
                    out.append(UInt8(ascii: "-"))
                }
            case .dash:
                out.append(UInt8(ascii: "-"))
            case .objectName(let object):
                Self.appendOrDash(Self.object(object, of: r).name, to: &out)
            case .objectLocation(let object):
                Self.appendOrDash(Self.object(object, of: r).location, to: &out)
            case .method:
                out.append(contentsOf: r.request.method.utf8)
            case .listenerPort:
                Self.appendOrDash(r.listener.port, to: &out)
            case .threadID:
                Digits.appendHex(r.threadID ?? UInt(pthread_self()), to: &out)
            case .query:
                // Pound prints `?query` only for a non-empty query.
                let (_, query) = URLParts.split(r.request.uri)
                if let query {
                    out.append(UInt8(ascii: "?"))
                    out.append(contentsOf: query.utf8)
                }
            case .requestLine:
                if let line = r.originalRequestLine {
                    out.append(contentsOf: line.utf8)
                } else {
                    out.append(contentsOf: r.request.requestLine.utf8)
                }
            case .status(let fullLine):
                if fullLine {
                    if let line = r.responseStatusLine, !line.isEmpty {
                        out.append(contentsOf: line.utf8)
                    } else {
                        // A special backend leaves the response line empty; Pound then prints
                        // "%3d " and its own reason phrase, `-` for codes it has none for.
                        Digits.append(UInt64(max(r.statusCode, 0)), width: 3, pad: UInt8(ascii: " "), to: &out)
                        out.append(UInt8(ascii: " "))
                        Self.appendOrDash(HTTPStatus.pound[r.statusCode]?.reason, to: &out)
                    }
                } else {
                    Digits.append(UInt64(max(r.statusCode, 0)), width: 3, pad: UInt8(ascii: " "), to: &out)
                }
            case .time(let format, let atEnd):
                LogTimeCache.append(format, time: atEnd ? r.endTime : r.startTime, to: &out)
            case .userName:
                if let user = r.userName {
                    out.append(contentsOf: user.utf8)
                } else if let user = BasicAuthorization.user(in: r.request.headers) {
                    out.append(contentsOf: user)
                } else {
                    out.append(UInt8(ascii: "-"))
                }
            case .urlPath:
                out.append(contentsOf: URLParts.split(r.request.uri).path.utf8)
            case .serverName:
                // Pound: the Host header up to its LAST colon (so a bare "[::1]" loses
                // ":1]"), else the listener address.
                if let host = HeaderLookup.first(Self.hostNeedle, in: r.request.headers) {
                    if let colon = host.utf8.lastIndex(of: UInt8(ascii: ":")) {
                        out.append(contentsOf: host.utf8[..<colon])
                    } else {
                        out.append(contentsOf: host.utf8)
                    }
                } else {
                    out.append(contentsOf: r.listener.address.utf8)
                }
            }
        }

        private static let http = Array("http".utf8)
        private static let https = Array("https".utf8)
        private static let hostNeedle = Array("host".utf8)

        private static func object(_ o: LogFormatSegment.PoundObject, of r: RequestLogRecord)
            -> (name: String?, location: String?) {
            switch o {
            case .listener: (r.listener.name, r.listener.location)
            case .service: (r.service?.name, r.service?.location)
            case .backend: (r.backend?.name, r.backend?.location)
            }
        }

        private static func appendOrDash(_ s: String?, to out: inout [UInt8]) {
            if let s {
                out.append(contentsOf: s.utf8)
            } else {
                out.append(UInt8(ascii: "-"))
            }
        }

        /// `%T`, `%D`, `%{UNIT}T`: Pound subtracts the timespecs and truncates.
        static func appendElapsed(from start: timespec, to end: timespec,
                                  unit: LogFormatSegment.TimeUnit, into out: inout [UInt8]) {
            var sec = Int64(end.tv_sec) - Int64(start.tv_sec)
            var nsec = Int64(end.tv_nsec) - Int64(start.tv_nsec)
            if nsec < 0 {
                nsec += 1_000_000_000
                sec -= 1
            }
            if sec < 0 { (sec, nsec) = (0, 0) }
            let s = UInt64(sec), ns = UInt64(nsec)
            switch unit {
            case .seconds:
                Digits.append(s, to: &out)
            case .secondsWithFraction:
                Digits.append(s, to: &out)
                out.append(UInt8(ascii: "."))
                Digits.append(ns / 1_000_000, width: 3, pad: UInt8(ascii: "0"), to: &out)
            case .milliseconds:
                Digits.append(s * 1000 + ns / 1_000_000, to: &out)
            case .microseconds:
                Digits.append(s * 1_000_000 + ns / 1000, to: &out)
            }
        }
    }
}
