/// `ModuleDirectory "dir"` and `LoadModule "path"`: Pounce extensions naming the
/// session and balancer module libraries to load. Files are not opened here: loading
/// (and its errors, with dlerror's text) happens when Pounce starts or checks.
enum ModuleStatements {
    static func statements() -> [Statement<PoundConfiguration>] {
        [
            Statement("ModuleDirectory") { p, c in
                let tok = try nonEmptyString(p)
                c.moduleDirectory = try p.scanner.includeWorkDirectory(at: tok.range).resolve(tok.text)
                return .ok
            },
            Statement("LoadModule") { p, c in
                let tok = try nonEmptyString(p)
                let path = try resolve(tok.text, moduleDirectory: c.moduleDirectory, p, at: tok.range)
                c.modules.append(ModuleLibrary(name: tok.text, path: path, range: tok.range))
                return .ok
            },
        ]
    }

    private static func nonEmptyString(_ p: ConfigParser) throws -> Token {
        let tok = try p.string()
        guard !tok.text.isEmpty else { throw p.fail("empty file name", at: tok.range) }
        return tok
    }

    /// A name with a `/` is a file name like any other in pound.cfg (relative ones are
    /// resolved against the include directory). A bare name is looked for in the
    /// module directory in force at this point, as `NAME`, then `NAME.so`, then
    /// `libNAME.so` (SwiftPM's file name for a product `NAME`); when none exists,
    /// `DIR/NAME` is kept so the load error names it.
    static func resolve(_ name: String, moduleDirectory: String, _ p: ConfigParser,
                        at range: LocusRange) throws -> String {
        if name.contains("/") {
            return try p.scanner.includeWorkDirectory(at: range).resolve(name)
        }
        var candidates = [name]
        if !name.hasSuffix(".so") { candidates += [name + ".so", "lib" + name + ".so"] }
        let directory = moduleDirectory.hasSuffix("/") ? String(moduleDirectory.dropLast()) : moduleDirectory
        for candidate in candidates {
            let path = directory + "/" + candidate
            if case .success(let info) = FileSystem.fileInfo(path), !info.isDirectory { return path }
        }
        return directory + "/" + name
    }
}
