/// A position in a configuration file, counted the way Pound counts it.
///
/// Columns follow Pound 4.23's scanner exactly, quirks included (a tab advances the
/// column by 8, not to the next tab stop), because users and Pound's own test suite
/// compare diagnostics byte for byte.
public struct LocusPoint: Sendable, Hashable {
    public var file: String?
    public var line: Int
    public var column: Int

    public init(file: String?, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static let unset = LocusPoint(file: nil, line: 0, column: 0)

    public var isSet: Bool { file != nil }

    /// `FILE:LINE[.COL]`
    public var description: String {
        var s = "\(file ?? ""):\(line)"
        if column != 0 { s += ".\(column)" }
        return s
    }
}

/// A span in a configuration file: `FILE:LINE.COL-COL`, `FILE:LINE.COL-LINE.COL`.
public struct LocusRange: Sendable, Hashable, CustomStringConvertible {
    public var begin: LocusPoint
    public var end: LocusPoint

    public init(begin: LocusPoint, end: LocusPoint = .unset) {
        self.begin = begin
        self.end = end
    }

    public static let unset = LocusRange(begin: .unset, end: .unset)

    public var description: String {
        var s = begin.description
        guard end.isSet else { return s }
        if end.file != begin.file {
            s += "-" + end.description
        } else if begin.line != end.line {
            s += "-\(end.line)"
            if end.column != 0 { s += ".\(end.column)" }
        } else if begin.column != 0 && begin.column != end.column {
            s += "-\(end.column)"
        }
        return s
    }
}
