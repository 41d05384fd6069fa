#if canImport(Glibc)
import Glibc
#endif
import HTTPWire
import PoundConfig
@testable import RequestLog

/// Builders for records shaped like the requests of Pound's own log tests.
enum Fixture {
    static let listener = RequestLogListener(name: "main", location: "pound.cfg:3.1-9.3",
                                             address: "127.0.0.1", port: "40123")
    static let service = RequestLogObject(name: "default", location: "pound.cfg:4.9-8.11")
    static let backend = RequestLogObject(name: "127.0.0.1:40124", location: "pound.cfg:5.17-7.19")

    /// 2024-02-29 13:14:15.123456789 UTC.
    static let start = timespec(tv_sec: 1_709_212_455, tv_nsec: 123_456_789)

    static func head(_ uri: String = "/echo/foo", headers: HTTPHeaders = ["Host": "example.com:40123"]) -> HTTPRequestHead {
        HTTPRequestHead(method: "GET", uri: uri, version: .http1_1, headers: headers)
    }

    static func record(head: HTTPRequestHead = head(), status: Int = 200,
                       statusLine: String? = "HTTP/1.1 200 OK", bytes: UInt64 = 0,
                       elapsedNanoseconds: Int = 1_234_567) -> RequestLogRecord {
        var end = start
        end.tv_nsec += elapsedNanoseconds
        end.tv_sec += end.tv_nsec / 1_000_000_000
        end.tv_nsec %= 1_000_000_000
        return RequestLogRecord(clientAddress: "127.0.0.1", peerAddress: "127.0.0.1", listener: listener,
                                request: head, statusCode: status, responseStatusLine: statusLine,
                                responseBytes: bytes, service: service, backend: backend,
                                startTime: start, endTime: end, threadID: 0x7f00ab)
    }

    static func format(_ source: String, anonymise: Bool = false) -> RequestLogFormatter {
        let segments = LogFormat.compile(source) { _, _, _ in }.segments ?? []
        return RequestLogFormatter(LogFormat(name: "test", index: 6, source: source, segments: segments),
                                   anonymise: anonymise)
    }

    static func render(_ source: String, _ record: RequestLogRecord = record(), anonymise: Bool = false) -> String {
        format(source, anonymise: anonymise).format(record)
    }

    /// The oracle for `%t`: libc's own strftime of the same instant.
    static func strftime(_ format: String, _ second: Int) -> String {
        var t = time_t(second)
        var parts = tm()
        localtime_r(&t, &parts)
        var buf = [CChar](repeating: 0, count: 256)
        let n = Glibc.strftime(&buf, buf.count, format, &parts)
        return String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
