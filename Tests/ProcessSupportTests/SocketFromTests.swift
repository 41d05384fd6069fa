#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import ProcessSupport

@Suite struct SocketFromTests {
    @Test func receivesTheListeningSocket() throws {
        let sender = try DescriptorSender()
        sender.start()
        let (fd, address) = try SocketFrom.receiveListeningSocket(path: sender.path)
        sender.join()
        defer { close(fd) }
        #expect(address == "127.0.0.1:\(sender.port)")
        #expect(fd != sender.tcpListener)
        #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)

        // The received descriptor is the same listening socket: a client connecting to the
        // port is accepted through it.
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(client) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(sender.port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(rc == 0)
        let accepted = accept(fd, nil, nil)
        #expect(accepted >= 0)
        close(accepted)
    }

    @Test func ipv6AddressesAreBracketed() throws {
        let sender = try DescriptorSender(family: AF_INET6)
        sender.start()
        let (fd, address) = try SocketFrom.receiveListeningSocket(path: sender.path)
        sender.join()
        close(fd)
        #expect(address == "[::1]:\(sender.port)")
    }

    @Test func obtainedAddressLine() {
        #expect(SocketFrom.obtainedAddressMessage(location: "pound.cfg:3.1-8.3", address: "127.0.0.1:4711")
            == "pound.cfg:3.1-8.3: obtained address 127.0.0.1:4711")
    }

    @Test func missingSocketIsAConnectError() {
        let path = temporaryPath("absent.sock")
        #expect(throws: ProcessSupportError("connect \(path): No such file or directory", code: ENOENT)) {
            try SocketFrom.receiveListeningSocket(path: path)
        }
    }

    @Test func senderThatSendsNothing() throws {
        let sender = try DescriptorSender(behaviour: .closeWithoutSending)
        sender.start()
        let error = #expect(throws: ProcessSupportError.self) { try SocketFrom.receiveListeningSocket(path: sender.path) }
        sender.join()
        #expect(error?.message.hasPrefix("can't get socket: ") == true)
    }

    @Test func senderThatSendsNoDescriptor() throws {
        let sender = try DescriptorSender(behaviour: .sendByteOnly)
        sender.start()
        let error = #expect(throws: ProcessSupportError.self) { try SocketFrom.receiveListeningSocket(path: sender.path) }
        sender.join()
        #expect(error?.message == "can't get socket: no descriptor in the message")
    }

    @Test func unixSocketAddressIsItsPath() throws {
        let path = temporaryPath("named.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd); unlink(path) }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        try check(withUnsafePointer(to: &sun) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        })
        #expect(SocketAddressText.local(of: fd) == path)
    }

    @Test func ipv4MappedAddressesPrintAsIPv4() {
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = UInt16(8080).bigEndian
        inet_pton(AF_INET6, "::ffff:192.0.2.1", &sin6.sin6_addr)
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { s in withUnsafeBytes(of: sin6) { s.copyMemory(from: $0) } }
        let length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        #expect(SocketAddressText.describe(storage, length: length) == "192.0.2.1:8080")
        #expect(SocketAddressText.describe(storage, length: length, withPort: false) == "192.0.2.1")
        inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr)
        withUnsafeMutableBytes(of: &storage) { s in withUnsafeBytes(of: sin6) { s.copyMemory(from: $0) } }
        #expect(SocketAddressText.describe(storage, length: length) == "[2001:db8::1]:8080")
        #expect(SocketAddressText.describe(storage, length: length, withPort: false) == "2001:db8::1")
    }
}
