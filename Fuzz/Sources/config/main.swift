// The pound.cfg parser, as `pounce -c` runs it: ConfigLoader.load (scanner, parser,
// sections, validation, diagnostics), then RoutingTable.build on what loads (condition,
// rewrite and template compilation). The input is written to pound.cfg in a scratch
// directory that is also the include directory (relative names resolve there), next to
// a few files a configuration may name (file.txt, acl.txt, users, inc.cfg, patterns.txt).
import FuzzDriver
import PoundConfig
import Routing
#if canImport(Glibc)
import Glibc
#endif

let auxiliaryFiles = [
    "file.txt": "value with spaces  \n\n",
    "acl.txt": "127.0.0.1\n10.0.0.0/8\n::1\n",
    "users": "alice:$apr1$x/3eZ.5h$VwN4m2NlNuNkpOAy0vBOe0\nbob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n",
    "inc.cfg": "Service\n  Backend\n    Address 127.0.0.1\n    Port 9000\n  End\nEnd\n",
    "patterns.txt": "^/a\n^/b/(.*)\n",
]

/// The scratch directory, under $TMPDIR (scripts/fuzz.sh points it into its own
/// temporary directory); removed at exit. The working directory is not changed, so
/// libFuzzer's relative paths keep working.
let directory: String = {
    let tmp = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(tmp)/pounce-fuzz-config-XXXXXX".utf8CString)
    guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        fatalError("fuzz-config: mkdtemp failed")
    }
    let path = String(cString: dir)
    for (name, text) in auxiliaryFiles { writeFile(path + "/" + name, Array(text.utf8)) }
    atexit {
        for name in auxiliaryFiles.keys { unlink(directory + "/" + name) }
        unlink(configPath)
        rmdir(directory)
    }
    return path
}()
let configPath = directory + "/pound.cfg"

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0, "cannot write \(path)")
    bytes.withUnsafeBytes { b in
        var off = 0
        while off < b.count {
            let n = write(fd, b.baseAddress! + off, b.count - off)
            precondition(n > 0, "write \(path) failed")
            off += n
        }
    }
    close(fd)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    writeFile(configPath, Array(UnsafeBufferPointer(start: data, count: size)))
    var features = Features()
    features.dns = false
    features.includeDirectory = directory
    let diagnostics = Diagnostics()
    guard let config = try? ConfigLoader.load(file: configPath, features: features, diagnostics: diagnostics) else {
        precondition(!diagnostics.errors.isEmpty, "a configuration failed without an error message")
        for d in diagnostics.all { _ = d.description }
        return 0
    }
    for d in diagnostics.all { _ = d.description }
    // `pounce -c` builds routing with the Lua engine when there is Lua; without it a
    // LuaMatch cannot be compiled, so those configurations stop here.
    if config.lua == nil {
        _ = try? RoutingTable.build(config)
    }
    return 0
}

pounce_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    guard let data else { return withUnsafePointer(to: 0 as UInt8) { fuzz($0, 0) } }
    return fuzz(data, size)
}
