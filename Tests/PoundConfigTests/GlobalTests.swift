import XCTest
@testable import PoundConfig

/// Top-level statements: process settings, defaults, includes, named blocks.
final class GlobalTests: XCTestCase {
    func testProcessSettings() throws {
        let c = try XCTUnwrap(assertAccepts("""
            User "www-data"
            Group "www-data"
            RootJail "/var/empty"
            Daemon 0
            Supervisor no
            WorkerMinCount 2
            WorkerMaxCount 64
            WorkerIdleTimeout 45
            WorkerStackSize 524288
            ConnectionQueueSize 1000
            ReserveFD 10
            ReserveFD -watcher 3
            Grace 5
            Alive 7
            PidFile "/run/pounce.pid"
            BackendStats yes
            WatcherTTL 11
            LogTag "lb1"
            Anonymize

            """, warnings: [
                "pound.cfg:6.1-16: warning: WorkerMinCount has no effect: pounce is event-driven and has no worker thread pool",
                "pound.cfg:8.1-20: warning: WorkerIdleTimeout has no effect: pounce is event-driven and has no worker thread pool",
                "pound.cfg:9.1-22: warning: WorkerStackSize has no effect: pounce is event-driven and has no worker thread pool",
                "pound.cfg:10.1-24: warning: ConnectionQueueSize has no effect: pounce is event-driven and has no connection queue",
                "pound.cfg:11.1-12: warning: ReserveFD has no effect: pounce is event-driven and has no connection queue",
                "pound.cfg:12.1-20: warning: ReserveFD has no effect: pounce is event-driven and has no connection queue",
            ]))
        XCTAssertEqual(c.user, "www-data")
        XCTAssertEqual(c.rootJail, "/var/empty")
        XCTAssertFalse(c.daemon)
        XCTAssertFalse(c.supervisor)
        XCTAssertEqual(c.workerMinCount, 2)
        XCTAssertEqual(c.workerMaxCount, 64)
        XCTAssertEqual(c.workerIdleTimeout, 45)
        XCTAssertEqual(c.workerStackSize, 524_288)
        XCTAssertEqual(c.connectionQueueSize, 1000)
        XCTAssertEqual(c.reserveFileDescriptors, 10)
        XCTAssertEqual(c.reserveWorkerFileDescriptors, 3)
        XCTAssertEqual(c.grace, 5)
        XCTAssertEqual(c.alive, 7)
        XCTAssertEqual(c.pidFile, "/run/pounce.pid")
        XCTAssertTrue(c.backendStats)
        XCTAssertEqual(c.watcherTTL, 11)
        XCTAssertEqual(c.logTag, "lb1")
        XCTAssertTrue(c.anonymise)
    }

    func testThreadsSetsBothWorkerBounds() throws {
        let c = try XCTUnwrap(assertAccepts("Threads 16\n"))
        XCTAssertEqual(c.workerMinCount, 16)
        XCTAssertEqual(c.workerMaxCount, 16)
    }

    func testDefaultsFollowTheFile() throws {
        let c = try XCTUnwrap(assertAccepts("Client 3\nTimeOut 20\nWSTimeOut 30\nConnTO 4\nRegexType pcre\nLineBufferSize 8192\n"))
        XCTAssertEqual(c.defaults.clientTimeout, 3)
        XCTAssertEqual(c.defaults.backendTimeout, 20)
        XCTAssertEqual(c.defaults.webSocketTimeout, 30)
        XCTAssertEqual(c.defaults.connectTimeout, 4)
        XCTAssertEqual(c.defaults.regexType, .pcre)
        XCTAssertEqual(c.defaults.lineBufferSize, 8192)
        XCTAssertEqual(assertAccepts("RegexType perl\n")?.defaults.regexType, .pcre)
    }

    func testWorkerBoundsChecked() {
        assertRejects("WorkerMinCount 10\nWorkerMaxCount 5\n", [
            "pound.cfg:1.1-17: warning: WorkerMinCount has no effect: pounce is event-driven and has no worker thread pool",
            "WorkerMinCount is greater than WorkerMaxCount",
        ])
    }

    func testMalformedGlobals() {
        assertRejects("RegexType PCRE\n", ["pound.cfg:1.11-14: unrecognized regex type"])
        assertRejects("RegexType \"pcre\"\n", ["pound.cfg:1.11-16: expected identifier, but found quoted string"])
        assertRejects("LineBufferSize 100\n", ["pound.cfg:1.16-18: value out of allowed range (>= 4096)"])
        assertRejects("Supervisor maybe\n", [
            "pound.cfg:1.12-16: not a boolean value",
            "pound.cfg:1.12-16: valid booleans are: 1, yes, true, on for true value, and 0, no, false, off for false value",
        ])
        assertRejects("Grace -1\n", ["pound.cfg:1.7-8: expected number, but found literal"])
        assertRejects("ReserveFD -foo 3\n", ["pound.cfg:1.11-14: unexpected token: -foo"])
        assertRejects("LogTag 12\n", ["pound.cfg:1.8-9: expected quoted string, but found number"])
        assertRejects("Anonymise 1\n", ["pound.cfg:1.11: unexpected number"])
    }

    func testDeprecatedGlobals() throws {
        let c = assertAccepts("IgnoreCase 1\n", warnings: [
            "pound.cfg:1.1-10: warning: deprecated statement, use the -icase matching directive flag to request case-insensitive comparison",
        ])
        XCTAssertEqual(c?.defaults.ignoreCase, true)
        assertAccepts("ECDHCurve \"prime256v1\"\n", warnings: [
            "pound.cfg:1.1-9: warning: deprecated statement, this setting is no longer used",
            "pound.cfg:1.11-22: warning: statement ignored",
        ])
    }

    func testDeprecationModes() {
        var f = Features.testDefaults
        f.warnDeprecated = false
        XCTAssertEqual(parse("IgnoreCase 1\n", features: f).messages, [])
    }

    func testControl() throws {
        XCTAssertEqual(assertAccepts("Control \"/run/pound.ctl\"\n")?.control?.path, "/run/pound.ctl")
        let c = try XCTUnwrap(assertAccepts("Control\n Socket \"/tmp/x\"\n Mode 640\n ChangeOwner yes\nEnd\n")?.control)
        XCTAssertEqual(c.path, "/tmp/x")
        XCTAssertEqual(c.mode, 0o640)
        XCTAssertTrue(c.changeOwner)
        assertRejects("Control\n Mode 0888\nEnd\n", ["pound.cfg:2.7-10: invalid file mode"])
        assertRejects("Control\nEnd\n", ["pound.cfg:1.7-2.3: Socket statement is missing"])
    }

    func testCombineHeaders() throws {
        let c = try XCTUnwrap(assertAccepts("CombineHeaders\n \"Accept\"\n \"Cache-Control\" \"Pragma\"\nEnd\n"))
        XCTAssertEqual(c.combineHeaders, ["Accept", "Cache-Control", "Pragma"])
        assertRejects("CombineHeaders \"X-A\"\nEnd\n", ["pound.cfg:1.16-20: expected newline, but found quoted string"])
        assertRejects("CombineHeaders\n \"X-A\"\n 12\nEnd\n",
                      ["pound.cfg:3.2-3: expected quoted string, \"Include\", or \"End\", but found number"])
    }

    func testResolverAndLua() throws {
        // The Resolver block (a warning) is tested in UnsupportedStatementTests.
        let c = try XCTUnwrap(assertAccepts(
            "Lua\n Path \"/usr/share/lua/?.lua;/opt/?/init.lua\"\n Load \"x.lua\"\n LoadGlobal \"auth-bearer.lua\" \"bearer\"\n MaxInstructions 5000\nEnd\n"))
        XCTAssertEqual(c.lua?.path, ["/usr/share/lua/?.lua", "/opt/?/init.lua"])
        XCTAssertEqual(c.lua?.load.map { $0.file.hasSuffix("/x.lua") || $0.file == "x.lua" }, [true])
        XCTAssertEqual(c.lua?.load.map(\.effectiveVariable), ["x"])
        XCTAssertEqual(c.lua?.loadGlobal.map(\.effectiveVariable), ["bearer"])
        XCTAssertEqual(c.lua?.maxInstructions, 5000)
        XCTAssertEqual(LuaSource(file: "/etc/auth-bearer.lua", range: .unset).effectiveVariable, "auth_bearer")
        XCTAssertEqual(LuaSource(file: "/etc/1st.mod.lua", range: .unset).effectiveVariable, "_1st_mod")
        assertRejects("Lua\n Load \"x.lua\" \"not-a-name\"\nEnd\n", ["pound.cfg:2.15-26: not a valid Lua variable name"])
        assertRejects("Lua\n Path \"/usr/share/lua\"\nEnd\n",
                      ["pound.cfg:2.7-22: /usr/share/lua: this doesn't look like a Lua path component"])
    }

    func testIncludeGlobsAndNesting() throws {
        let f = ConfigFixture()
        f.write("conf.d/a.cfg", "User \"a\"\n")
        f.write("conf.d/b.cfg", "Group \"b\"\nInclude \"inner.cfg\"\n")
        f.write("inner.cfg", "RootJail \"/jail\"\n")
        f.write("pound.cfg", "Include \"conf.d/*.cfg\"\nDaemon 0\n")
        let outcome = f.load()
        XCTAssertEqual(outcome.messages, [])
        let c = try XCTUnwrap(outcome.config)
        XCTAssertEqual(c.user, "a")
        XCTAssertEqual(c.group, "b")
        XCTAssertEqual(c.rootJail, "/jail")
        XCTAssertFalse(c.daemon)
    }

    func testIncludeErrorsNameTheIncludedFile() {
        let f = ConfigFixture()
        f.write("conf.d/a.cfg", "User \"a\"\n")
        f.write("nest.cfg", "Include \"conf.d/a.cfg\"\nFoo 1\n")
        f.write("pound.cfg", "Include \"nest.cfg\"\n")
        XCTAssertEqual(f.load().messages, ["nest.cfg:2.1-3: unrecognized keyword"])

        f.write("pound.cfg", "Include \"conf.d/*.nomatch\"\n")
        let real = f.load().messages.first ?? ""
        XCTAssertTrue(real.hasPrefix("pound.cfg:1.9-26: can't stat /"), real)
        XCTAssertTrue(real.hasSuffix("/conf.d/*.nomatch: No such file or directory"), real)

        f.write("loop.cfg", "Include \"pound.cfg\"\n")
        f.write("pound.cfg", "Include \"loop.cfg\"\n")
        XCTAssertEqual(f.load().messages, ["loop.cfg:1.9-19: pound.cfg already included (at top level)"])
    }

    func testIncludeDirectory() throws {
        let f = ConfigFixture()
        f.write("etc/extra.cfg", "User \"from-include-dir\"\n")
        f.write("pound.cfg", "IncludeDir \"\(f.directory)/etc\"\nInclude \"extra.cfg\"\n")
        XCTAssertEqual(f.load().config?.user, "from-include-dir")

        var features = Features.testDefaults
        features.includeDirectory = f.directory + "/etc"
        f.write("pound.cfg", "Include \"extra.cfg\"\nFoo\n")
        XCTAssertEqual(f.load(features: features).messages, ["pound.cfg:2.1-3: unrecognized keyword"])

        f.write("pound.cfg", "IncludeDir \"/nonexistent\"\n")
        XCTAssertEqual(f.load().messages, ["pound.cfg:1.12-25: can't open directory /nonexistent: No such file or directory"])
    }

    func testServiceLevelCommonStatements() throws {
        let c = try XCTUnwrap(assertAccepts("Service \"s1\"\n\tDisabled 1\n\tLogSuppress clterr srverr\n\tForwardedHeader \"X-Real-IP\"\n\tContentCapture 1024\n\tError 404\nEnd\n"))
        let s = try XCTUnwrap(c.services.first)
        XCTAssertEqual(s.name, "s1")
        XCTAssertTrue(s.disabled)
        XCTAssertEqual(s.logSuppress, [.clientError, .serverError])
        XCTAssertEqual(s.forwardedHeader, "X-Real-IP")
        XCTAssertEqual(s.contentCaptureSize, 1024)
        assertRejects("Service\n\tDisabled 1\n\tLogSuppress 7\nEnd\n", ["pound.cfg:3.21: unsupported status mask"])
        assertRejects("Service\n\tLogSuppress info junk\nEnd\n", ["pound.cfg:2.26-29: unsupported status mask"])
        assertRejects("Service \"a\"\nError 404\nEnd\nService \"a\"\nEnd\n", ["pound.cfg:4.9-11: service name is not unique"])
        assertRejects("Service\n\tContentCapture x\nEnd\n", ["pound.cfg:2.24: expected number, but found identifier"])
    }
}
