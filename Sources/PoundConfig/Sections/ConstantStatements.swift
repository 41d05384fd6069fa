#if canImport(Glibc)
import Glibc
#endif

extension StringConstant {
    /// `Constant "NAME" "VALUE"` / `Constant "NAME" -file|-filewatch "f" [-trim]`.
    public static func statement() -> Statement<[String: StringConstant]> {
        Statement("Constant") { p, constants in
            let name = try p.string()
            var constant = StringConstant(name: name.text)
            constant.range = name.range
            let options = try FileOptions.parse(p, allowTrim: true)
            constant.trim = options.trim
            if let file = options.file {
                let source = try ConfigFileSource(p, name: file, watch: options.watch)
                let watchRange = p.lastRange
                constant.file = source.watchedFile(range: watchRange)
                switch read(p, source, trim: options.trim, at: name.range) {
                case .success(let value):
                    constant.value = value
                case .failure(let failure):
                    let e = failure.system
                    guard options.watch else { throw ConfigFailure() }
                    if let e, e.errno == ENOENT {
                        source.noteMissing(p, at: watchRange)
                    } else if let e {
                        throw source.watchOpenFailure(p, e, at: watchRange)
                    } else {
                        throw ConfigFailure()
                    }
                }
            } else {
                constant.value = try p.stringValue()
            }
            if let old = constants[name.text] {
                p.warn("constant redefined", at: name.range)
                p.diagnostics.note("This is the place of the previous definition", at: old.range)
            }
            constants[name.text] = constant
            return .ok
        }
    }

    /// Pound's `slurp`: the whole file, which must be a non-empty regular file; errors are
    /// reported at the constant's name. The failure carries the errno when the file
    /// could not be opened at all.
    private static func read(_ p: ConfigParser, _ source: ConfigFileSource, trim: Bool,
                             at range: LocusRange) -> Result<String, ConstantReadFailure> {
        let shown = source.name.hasPrefix("/") ? source.name : source.displayName
        switch FileSystem.fileInfo(source.path) {
        case .failure(let e):
            p.diagnostics.error("can't open \(shown): \(e)", at: range)
            return .failure(ConstantReadFailure(system: e))
        case .success(let info):
            if !info.isRegular {
                p.diagnostics.error("\(source.name): not a regular file", at: range)
                return .failure(ConstantReadFailure(system: nil))
            }
            if info.size == 0 {
                p.diagnostics.error("\(source.name): empty file", at: range)
                return .failure(ConstantReadFailure(system: nil))
            }
        }
        switch FileSystem.readFile(source.path) {
        case .failure(let e):
            p.diagnostics.error("can't open \(shown): \(e)", at: range)
            return .failure(ConstantReadFailure(system: e))
        case .success(var bytes):
            if trim {
                while let last = bytes.last, [9, 10, 11, 12, 13, 32].contains(last) { bytes.removeLast() }
            }
            return .success(String(decoding: bytes, as: UTF8.self))
        }
    }
}

/// Why a constant's file could not be used: an open/stat failure (whose errno decides
/// what a watcher does) or a problem with its content, already reported.
private struct ConstantReadFailure: Error {
    var system: SystemError?
}
