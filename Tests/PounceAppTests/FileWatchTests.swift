import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `-filewatch` end to end: files edited while pounce runs change its answers.
@Suite struct FileWatchTests {
    private func get(_ port: Int, headers: String = "") throws -> Int {
        let c = try TCP(port: port)
        c.send("GET /echo HTTP/1.1\r\nHost: localhost\r\n\(headers)Connection: close\r\n\r\n")
        guard let r = c.readResponse() else { throw HarnessError("no response") }
        return r.status
    }

    @Test func editingAnACLFileChangesTheAnswer() throws {
        let b = try TestBackend(name: "b1")
        let files = PounceProcess.temporaryDirectory()
        let acl = files + "/aclfile"
        PounceProcess.write("127.0.0.2\n", to: acl)
        let p = try RunningPounce(config: """
        Daemon 0
        LogFacility -
        ACL "secure" -filewatch "\(acl)"
        ListenHTTP
            Address 127.0.0.1
            Port {PORT}
            Service
                ACL "secure"
                Backend
                    Address 127.0.0.1
                    Port \(b.port)
                End
            End
            Service
                Error 404
            End
        End
        """)
        defer { p.stop() }
        // The tests connect from 127.0.0.1.
        #expect(try get(p.port) == 404)

        PounceProcess.write("127.0.0.2\n127.0.0.1\n", to: acl)
        #expect(p.waitForLog("\(acl): file reloaded"))
        #expect(try get(p.port) == 200)

        unlink(acl)
        #expect(p.waitForLog("\(acl): content cleared"))
        #expect(p.log.contains("\(acl): file removed"))
        #expect(try get(p.port) == 404)

        // Written elsewhere and moved into place, as editors and `sed -i` do.
        PounceProcess.write("127.0.0.0/8\n", to: acl + ".new")
        rename(acl + ".new", acl)
        #expect(p.waitForLog("\(acl): file restored"))
        #expect(p.waitForLog("\(acl): file reloaded"))
        #expect(try get(p.port) == 200)
        #expect(p.stop() == 0)
    }

    @Test func aPasswordFileAndAPatternFileAreReloadedToo() throws {
        let b = try TestBackend(name: "b1")
        let files = PounceProcess.temporaryDirectory()
        PounceProcess.write("gray:guessMe\n", to: files + "/htpass")
        let p = try RunningPounce(config: """
        Daemon 0
        LogFacility -
        ListenHTTP
            Address 127.0.0.1
            Port {PORT}
            Service
                BasicAuth "\(files)/htpass"
                Header "X-Host" -filewatch "\(files)/hosts"
                Backend
                    Address 127.0.0.1
                    Port \(b.port)
                End
            End
            Service
                Error 404
            End
        End
        """)
        defer { p.stop() }
        #expect(p.waitForLog("\(files)/hosts: file does not exist"))
        let gray1 = "Authorization: Basic Z3JheTpndWVzc01l\r\nX-Host: example.org\r\n"          // gray:guessMe
        let gray2 = "Authorization: Basic Z3JheTphbm90aGVyUGFzcw==\r\nX-Host: example.org\r\n"  // gray:anotherPass
        // No pattern file yet: an empty watched list does not match.
        #expect(try get(p.port, headers: gray1) == 404)

        PounceProcess.write("example.org\n", to: files + "/hosts")
        #expect(p.waitForLog("\(files)/hosts: file reloaded"))
        #expect(try get(p.port, headers: gray1) == 200)
        #expect(try get(p.port, headers: gray2) == 404)

        PounceProcess.write("gray:anotherPass\n", to: files + "/htpass")
        #expect(p.waitForLog("\(files)/htpass: file reloaded"))
        #expect(try get(p.port, headers: gray2) == 200)
        #expect(try get(p.port, headers: gray1) == 404)
        #expect(p.stop() == 0)
    }
}
