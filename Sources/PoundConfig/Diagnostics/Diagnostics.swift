/// One message about a configuration, already in Pound's words.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: Sendable { case error, warning }
    public var severity: Severity
    public var range: LocusRange?
    /// Text without the location; warnings carry Pound's `warning: ` prefix here.
    public var message: String

    /// `FILE:LINE.COL-COL: message`, or just the message when there is no location.
    public var description: String {
        guard let range else { return message }
        return "\(range): \(message)"
    }
}

/// Where configuration diagnostics go. Pound prints each one the moment it is found,
/// so a failing configuration shows every message that precedes the fatal one.
public final class Diagnostics: @unchecked Sendable {
    public private(set) var all: [Diagnostic] = []
    private let emit: (Diagnostic) -> Void

    /// `emit` receives each diagnostic as it is reported (the CLI prints it as `PROG: text`).
    public init(emit: @escaping (Diagnostic) -> Void = { _ in }) {
        self.emit = emit
    }

    public var errors: [Diagnostic] { all.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { all.filter { $0.severity == .warning } }

    public func error(_ message: String, at range: LocusRange?) {
        report(Diagnostic(severity: .error, range: range, message: message))
    }

    public func warning(_ message: String, at range: LocusRange?) {
        report(Diagnostic(severity: .warning, range: range, message: "warning: " + message))
    }

    /// A message that follows a warning (Pound's "see section ..." lines) and is not itself one.
    public func note(_ message: String, at range: LocusRange?) {
        report(Diagnostic(severity: .warning, range: range, message: message))
    }

    func report(_ d: Diagnostic) {
        all.append(d)
        emit(d)
    }
}

/// Thrown once a fatal diagnostic has been reported; parsing stops, as Pound's does.
public struct ConfigFailure: Error, Sendable {
    /// Pound aborts on some whole-configuration checks (`abend`), adding a final
    /// "PROGRAM terminated" line; the program prints it when this is set.
    public var terminates: Bool
    public init(terminates: Bool = false) { self.terminates = terminates }
}
