import Testing
import PoundConfig
@testable import Routing
#if canImport(Glibc)
import Glibc
#endif

/// `-filewatch` content: what the watcher's reload and clear do to routing.
@Suite struct WatchedFileTests {
    /// Reloads every watched file of `t` whose name is `name`, collecting diagnostics.
    @discardableResult
    func reload(_ t: RoutingTable, _ name: String) throws -> [String] {
        var messages: [String] = []
        for content in t.watchedFiles where content.file.name.hasSuffix(name) {
            try content.reload { messages.append($0.description) }
        }
        return messages
    }

    @Test func aclFollowsItsFile() throws {
        let f = Fixture()
        f.write("acl", "127.0.0.1\n")
        let t = try routing("""
        ListenHTTP
          Service "in"
            ACL -filewatch "@DIR@/acl"
        \(backend(9001))  End
        End
        """, fixture: f)
        #expect(t.watchedFiles.map(\.file.path) == [f.directory + "/acl"])
        #expect(selected(t, request("GET", "/", client: "127.0.0.2")) == "503")

        f.write("acl", "127.0.0.1\n127.0.0.2\n# comment\n\"127.0.0.8/29\"\n")
        #expect(try reload(t, "acl").isEmpty)
        #expect(selected(t, request("GET", "/", client: "127.0.0.2")) == "in")
        #expect(selected(t, request("GET", "/", client: "127.0.0.9")) == "in")
        #expect(selected(t, request("GET", "/", client: "127.0.0.3")) == "503")

        t.watchedFiles[0].clear()
        #expect(selected(t, request("GET", "/", client: "127.0.0.1")) == "503")
    }

    @Test func badACLLinesAreReportedAndLeftOut() throws {
        let f = Fixture()
        f.write("acl", "10.0.0.1\n")
        let t = try routing("""
        ListenHTTP
          Service "in"
            ACL -filewatch "@DIR@/acl"
        \(backend(9001))  End
        End
        """, fixture: f)
        f.write("acl", "bogus\n10.0.0.2\n10.0.0.0/x\n")
        let messages = try reload(t, "acl")
        #expect(messages == ["\(f.directory)/acl:1: invalid IP address: Name or service not known",
                             "\(f.directory)/acl:3: invalid netmask"])
        #expect(selected(t, request("GET", "/", client: "10.0.0.2")) == "in")
        #expect(selected(t, request("GET", "/", client: "10.0.0.1")) == "503")
    }

    @Test func aNamedACLIsOneFileWhereverItIsUsed() throws {
        let f = Fixture()
        f.write("acl", "10.0.0.1\n")
        let t = try routing("""
        ACL "office" -filewatch "@DIR@/acl"
        TrustedIP "office"
        ListenHTTP
          Service "direct"
            URL "^/direct"
            ACL "office"
        \(backend(9001))  End
          Service "forwarded"
            URL "^/fwd"
            ACL -forwarded "office"
        \(backend(9002))  End
        End
        """, fixture: f)
        #expect(t.watchedFiles.count == 1)
        // Pound's watcher messages cite the file name in the ACL statement.
        // (Pound's locus of that token: its last column, up to the next line.)
        let column = #"ACL "office" -filewatch "/acl""#.count + f.directory.count
        #expect(t.watchedFiles.first?.file.messagePrefix == "\(f.directory)/pound.cfg:1.\(column)-2: \(f.directory)/acl")
        let fwd = request("GET", "/fwd", headers: [("X-Forwarded-For", "10.0.0.9")], client: "10.0.0.2")
        #expect(selected(t, request("GET", "/direct", client: "10.0.0.2")) == "503")
        #expect(selected(t, fwd) == "503")

        f.write("acl", "10.0.0.2\n10.0.0.9\n")
        try reload(t, "acl")
        #expect(selected(t, request("GET", "/direct", client: "10.0.0.2")) == "direct")
        // The trusted list changed too: the proxy at 10.0.0.2 is skipped, 10.0.0.9 is
        // both the client and in the list.
        #expect(selected(t, fwd) == "forwarded")
    }

    @Test func patternListFollowsItsFile() throws {
        let f = Fixture()
        let t = try routing("""
        ListenHTTP
          Service "host"
            Header "X-Host" -filewatch "@DIR@/hosts"
        \(backend(9001))  End
        End
        """, fixture: f)
        let host = { (h: String) in request("GET", "/", headers: [("X-Host", h)]) }
        // Missing at start: an empty watched list is false.
        #expect(selected(t, host("example.org")) == "503")

        f.write("hosts", "example.org\n")
        try reload(t, "hosts")
        #expect(selected(t, host("example.org")) == "host")
        #expect(selected(t, host("localhost")) == "503")

        f.write("hosts", "localhost\n[\n")
        let messages = try reload(t, "hosts")
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("\(f.directory)/hosts:2: ") == true)
        #expect(selected(t, host("example.org")) == "503")
        #expect(selected(t, host("localhost")) == "host")

        t.watchedFiles[0].clear()
        #expect(selected(t, host("localhost")) == "503")
    }

    @Test func aFileThatCannotBeReadLeavesTheContentAlone() throws {
        let f = Fixture()
        f.write("hosts", "example.org\n")
        let t = try routing("""
        ListenHTTP
          Service "host"
            Host -filewatch "@DIR@/hosts"
        \(backend(9001))  End
        End
        """, fixture: f)
        unlink(f.directory + "/hosts")
        #expect(throws: SystemError(errno: ENOENT)) { try reload(t, "hosts") }
        #expect(selected(t, request("GET", "/", headers: [("Host", "example.org")])) == "host")
    }

    @Test func passwordFileFollowsItsFile() throws {
        let f = Fixture()
        f.write("htpass", "gray:guessMe\n")
        let t = try routing("""
        ListenHTTP
          Service "auth"
            BasicAuth "@DIR@/htpass"
        \(backend(9001))  End
        End
        """, fixture: f)
        let auth = { (v: String) in request("GET", "/", headers: [("Authorization", v)]) }
        #expect(selected(t, auth("Basic Z3JheTpndWVzc01l")) == "auth")           // gray:guessMe
        #expect(selected(t, auth("Basic Z3JheTphbm90aGVyUGFzcw==")) == "503")    // gray:anotherPass

        f.write("htpass", "gray:anotherPass\n")
        try reload(t, "htpass")
        #expect(selected(t, auth("Basic Z3JheTphbm90aGVyUGFzcw==")) == "auth")
        #expect(selected(t, auth("Basic Z3JheTpndWVzc01l")) == "503")

        t.watchedFiles[0].clear()
        #expect(selected(t, auth("Basic Z3JheTphbm90aGVyUGFzcw==")) == "503")
    }

    @Test func filesReadOnceAreNotWatched() throws {
        let f = Fixture()
        f.write("acl", "10.0.0.1\n")
        f.write("paths", "^/a\n")
        f.write("htpass", "u:p\n")
        let t = try routing("""
        ListenHTTP
          Service "s"
            ACL -file "@DIR@/acl"
            URL -file "@DIR@/paths"
            BasicAuth -file "@DIR@/htpass"
        \(backend(9001))  End
        End
        """, fixture: f)
        #expect(t.watchedFiles.isEmpty)
    }

    @Test func fileContentSnapshotsAreShared() {
        let content = FileContent.watched([1, 2])
        let copy = content
        copy.replace(with: [3])
        #expect(content.current == [3])
        #expect(content.isWatched)
        let fixed = FileContent.fixed([1])
        fixed.replace(with: [2])
        #expect(fixed.current == [1])
        #expect(!fixed.isWatched)
    }
}
