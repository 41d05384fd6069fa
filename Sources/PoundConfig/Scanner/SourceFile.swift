#if canImport(Glibc)
import Glibc
#endif

/// One configuration file being read, with Pound's position bookkeeping.
struct SourceFile {
    let bytes: [UInt8]
    let device: UInt64
    let inode: UInt64
    var index = 0
    var locus: LocusPoint
    /// Column at the end of the previous line: a newline token starts there.
    var previousColumn = 0
    var current: Token
    var putback: [Token] = []

    init(bytes: [UInt8], name: String, device: UInt64, inode: UInt64) {
        self.bytes = bytes
        self.device = device
        self.inode = inode
        self.locus = LocusPoint(file: name, line: 1, column: 0)
        self.current = Token(kind: .newline, range: LocusRange(begin: locus))
    }

    static let eof: Int = -1

    mutating func getc() -> Int {
        guard index < bytes.count else { return Self.eof }
        let c = bytes[index]
        index += 1
        switch c {
        case UInt8(ascii: "\n"):
            locus.line += 1
            previousColumn = locus.column
            locus.column = 0
        case UInt8(ascii: "\t"):
            locus.column += 8
        default:
            locus.column += 1
        }
        return Int(c)
    }

    /// Undo `getc`. Like Pound, a tab moves the column back by one, not eight.
    mutating func ungetc(_ c: Int) {
        guard c != Self.eof else { return }
        index -= 1
        if c == Int(UInt8(ascii: "\n")) {
            locus.line -= 1
            locus.column = previousColumn
        } else {
            locus.column -= 1
        }
    }
}

enum CharClass {
    static func isSpace(_ c: Int) -> Bool {
        c == 32 || (c >= 9 && c <= 13)
    }
    static func isAlpha(_ c: Int) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    }
    static func isDigit(_ c: Int) -> Bool { c >= 48 && c <= 57 }
    static func isIdentStart(_ c: Int) -> Bool { isAlpha(c) || c == 95 }
    static func isIdentContinue(_ c: Int) -> Bool { isIdentStart(c) || isDigit(c) }
}
