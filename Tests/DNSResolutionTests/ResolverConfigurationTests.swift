import DNSResolution
import Testing

/// resolv.conf text (`Resolver` `ConfigText`/`ConfigFile`) as Pounce reads it: no
/// resolver is made, nothing goes on the network.
@Suite struct ResolverConfigurationTests {
    @Test func defaultsWithoutText() {
        let empty = ResolverConfiguration(text: "")
        #expect(empty == ResolverConfiguration())
        #expect(empty.servers.isEmpty)
        #expect(empty.timeoutMilliseconds == 2000)
        #expect(empty.tries == 3)
        #expect(empty.ignored.isEmpty)
    }

    @Test func nameServersInTheirOrder() {
        let config = ResolverConfiguration(text: """
            nameserver 192.0.2.53
            nameserver 2001:db8::53
            nameserver\t198.51.100.1\t
            nameserver [2001:db8::1]:5353
            """)
        #expect(config.servers == ["192.0.2.53", "2001:db8::53", "198.51.100.1", "[2001:db8::1]:5353"])
        #expect(config.ignored.isEmpty)
    }

    @Test func ipv6NameServersStayAsWritten() {
        #expect(ResolverConfiguration(text: "nameserver ::1").servers == ["::1"])
        #expect(ResolverConfiguration(text: "nameserver [::1]:5353").servers == ["[::1]:5353"])
    }

    /// c-ares reads a server list of "ip", "ip:port" and "[ipv6]:port" (see
    /// `DNSResolver.init(servers:)` and `ares_set_servers_ports_csv`): an IPv4 address
    /// with a port must come through as it was written.
    @Test func ipv4NameServerWithAPort() {
        #expect(ResolverConfiguration(text: "nameserver 127.0.0.1:5353").servers == ["127.0.0.1:5353"])
        #expect(ResolverConfiguration(text: "nameserver 192.0.2.1:53\nnameserver 192.0.2.2").servers
            == ["192.0.2.1:53", "192.0.2.2"])
    }

    @Test func commentsStartWithHashOrSemicolon() {
        let config = ResolverConfiguration(text: """
            # a comment line
            ; another
            nameserver 192.0.2.1 # the first
            nameserver 192.0.2.2;the second
               # indented comment
            options timeout:4 ; attempts:9
            """)
        #expect(config.servers == ["192.0.2.1", "192.0.2.2"])
        #expect(config.timeoutMilliseconds == 4000)
        // attempts:9 was in the comment.
        #expect(config.tries == 3)
        #expect(config.ignored.isEmpty)
    }

    @Test func timeoutAndAttemptsOptions() {
        let config = ResolverConfiguration(text: "options timeout:5 attempts:2\n")
        #expect(config.timeoutMilliseconds == 5000)
        #expect(config.tries == 2)
        #expect(config.ignored.isEmpty)
        // On lines of their own, the last one wins.
        let later = ResolverConfiguration(text: "options attempts:4\noptions timeout:1\noptions attempts:6")
        #expect(later.tries == 6)
        #expect(later.timeoutMilliseconds == 1000)
    }

    @Test func zeroTimeoutAndAttemptsBecomeOne() {
        let config = ResolverConfiguration(text: "options timeout:0 attempts:0")
        #expect(config.timeoutMilliseconds == 1000)
        #expect(config.tries == 1)
    }

    @Test func unknownLinesAreReportedWithTheirLineNumbers() {
        let config = ResolverConfiguration(text: """
            # resolv.conf
            domain example.com
            nameserver 192.0.2.1

            search a.example b.example   
            sortlist 130.155.160.0/255.255.240.0
            nameserver
            """)
        #expect(config.servers == ["192.0.2.1"])
        #expect(config.ignored == [
            "line 2: domain example.com",
            "line 5: search a.example b.example",
            "line 6: sortlist 130.155.160.0/255.255.240.0",
            "line 7: nameserver",
        ])
    }

    @Test func unknownOptionsAreReportedOneByOne() {
        let config = ResolverConfiguration(text: """
            nameserver 192.0.2.1
            options ndots:2 timeout:3 rotate attempts:x edns0
            """)
        #expect(config.timeoutMilliseconds == 3000)
        #expect(config.tries == 3)
        #expect(config.ignored == [
            "line 2: options ndots:2",
            "line 2: options rotate",
            "line 2: options attempts:x",
            "line 2: options edns0",
        ])
    }

    @Test func aCommentAfterAnUnknownLineIsNotReported() {
        let config = ResolverConfiguration(text: "\n\nsearch example.com # local names\r\n")
        #expect(config.ignored == ["line 3: search example.com"])
    }

    /// A file (`ConfigFile`) with CRLF line endings: the parser strips "\r" from
    /// words, so it means to read them.
    @Test func crlfLineEndings() {
        let config = ResolverConfiguration(text: "nameserver 192.0.2.1\r\noptions timeout:7\r\n")
        #expect(config.servers == ["192.0.2.1"])
        #expect(config.timeoutMilliseconds == 7000)
        #expect(config.ignored.isEmpty)
    }

    // MARK: What c-ares makes of the list

    /// The servers as `DNSResolver` hands them to c-ares (`ares_set_servers_ports_csv`
    /// of the c-ares the package is built with). Makes a resolver thread and stops it;
    /// sends nothing.
    private func resolverAccepts(_ servers: [String]) -> Bool {
        guard let resolver = try? DNSResolver(servers: servers, timeoutMilliseconds: 100, tries: 1) else { return false }
        resolver.shutdown()
        return true
    }

    @Test func cAresTakesTheServersOfPlainLines() {
        #expect(resolverAccepts(ResolverConfiguration(text: "nameserver 192.0.2.1\nnameserver 192.0.2.2").servers))
        #expect(resolverAccepts(ResolverConfiguration(text: "nameserver [2001:db8::1]:5353").servers))
        // The check can fail.
        #expect(!resolverAccepts(["not an address"]))
    }

    @Test func cAresTakesTheServersOfLinesWithPortsOrIPv6() {
        // What c-ares 1.18.1 (the system's) takes: "127.0.0.1:5353", "2001:db8::1",
        // "[2001:db8::1]:53"; it answers ARES_EBADSTR for "[127.0.0.1:5353]" and for a
        // bracketed IPv6 address without a port, "[2001:db8::1]".
        #expect(resolverAccepts(ResolverConfiguration(text: "nameserver 127.0.0.1:5353").servers))
        #expect(resolverAccepts(ResolverConfiguration(text: "nameserver 2001:db8::1").servers))
    }
}
