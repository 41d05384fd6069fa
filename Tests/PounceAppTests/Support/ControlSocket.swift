import Foundation

/// The control API over a `Control` UNIX socket, through curl (a real client).
enum ControlSocket {
    /// curl's status code and body for `method path` on `socket`.
    static func request(_ socket: String, _ method: String = "GET", _ path: String) throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-X", method, "--unix-socket", socket, "-w", "\n%{http_code}", "http://localhost" + path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let cut = text.lastIndex(of: "\n"), let status = Int(text[text.index(after: cut)...]) else {
            throw HarnessError("curl gave no status (exit \(process.terminationStatus)): \(text)")
        }
        return (status, String(text[..<cut]))
    }
}
