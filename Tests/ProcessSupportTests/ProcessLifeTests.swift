#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import ProcessSupport

@Suite struct PIDFileTests {
    @Test func writesAndRemoves() throws {
        let path = temporaryPath("pound.pid")
        let file = try PIDFile.write(path)
        #expect(readFile(path) == "\(getpid())\n")
        try file.remove()
        #expect(access(path, F_OK) != 0)
        #expect(throws: ProcessSupportError("can't remove file \(path): No such file or directory", code: ENOENT)) {
            try file.remove()
        }
    }

    @Test func removalThroughTheDirectoryDescriptor() throws {
        let path = temporaryPath("jail.pid")
        let file = try PIDFile.write(path, pid: 4242, survivingChroot: true)
        #expect(readFile(path) == "4242\n")
        try file.remove()
        #expect(access(path, F_OK) != 0)
    }

    @Test func unwritablePathIsReportedLikePound() {
        #expect(throws: ProcessSupportError("Create \"/nonexistent-dir/p.pid\": No such file or directory", code: ENOENT)) {
            try PIDFile.write("/nonexistent-dir/p.pid")
        }
    }
}

@Suite struct PrivilegesTests {
    @Test func resolvesNames() throws {
        let root = try Privileges.resolve(user: "root", group: nil)
        #expect(root == Privileges(userName: "root", userID: 0, groupID: 0))
        let none = try Privileges.resolve(user: nil, group: nil)
        #expect(none == Privileges())
        #expect(throws: ProcessSupportError("no such user no-such-user-xyz")) {
            try Privileges.resolve(user: "no-such-user-xyz", group: nil)
        }
        #expect(throws: ProcessSupportError("no such group no-such-group-xyz")) {
            try Privileges.resolve(user: "root", group: "no-such-group-xyz")
        }
    }

    @Test func chrootFailureIsReportedFirst() {
        // Fails before any identity change, so it is safe even when the tests run as root.
        let error = #expect(throws: ProcessSupportError.self) {
            try Privileges(userID: 0, groupID: 0).drop(rootJail: "/nonexistent-jail-xyz")
        }
        #expect(error?.message.hasPrefix("chroot: ") == true)
    }

    @Test func nothingToDropIsANoOp() throws {
        try Privileges().drop(rootJail: nil)
    }
}

// Signal dispositions and masks are process-wide: these tests must not overlap.
@Suite(.serialized) struct SignalTests {
    @Test func signalKinds() {
        #expect(ShutdownSignal(signal: SIGHUP) == .graceful)
        #expect(ShutdownSignal(signal: SIGINT) == .graceful)
        #expect(ShutdownSignal(signal: SIGTERM) == .immediate)
        #expect(ShutdownSignal(signal: SIGQUIT) == .immediate)
        #expect(ShutdownSignal(signal: SIGUSR1) == nil)
    }

    /// Runs on a thread of its own so the blocked signals do not leak into the test pool.
    @Test func waitTakesPendingSignals() {
        final class Result: @unchecked Sendable {
            var kinds: [ShutdownSignal] = []
            var pollAfter: Int32?
            var blocked = false
            var pipeIgnored = false
        }
        let result = Result()
        var thread = pthread_t()
        let box = Unmanaged.passRetained(result).toOpaque()
        pthread_create(&thread, nil, { arg in
            guard let arg else { return nil }
            let result = Unmanaged<Result>.fromOpaque(arg).takeRetainedValue()
            let waiter = SignalWaiter()
            var mask = sigset_t()
            pthread_sigmask(SIG_BLOCK, nil, &mask)
            result.blocked = SignalWaiter.shutdownSignals.allSatisfy { sigismember(&mask, $0) == 1 }
            var pipeAction = sigaction()
            sigaction(SIGPIPE, nil, &pipeAction)
            result.pipeIgnored = unsafeBitCast(pipeAction.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
            // Directed at this thread, where the signals are blocked: they stay pending.
            pthread_kill(pthread_self(), SIGHUP)
            result.kinds.append(waiter.wait())
            pthread_kill(pthread_self(), SIGQUIT)
            result.kinds.append(waiter.wait())
            result.pollAfter = waiter.poll()
            return nil
        }, box)
        pthread_join(thread, nil)
        #expect(result.blocked)
        #expect(result.pipeIgnored)
        #expect(result.kinds == [.graceful, .immediate])
        #expect(result.pollAfter == nil)
    }

    /// A signal taken by a thread that does not block it still reaches `wait()`.
    @Test func signalOnAnotherThreadIsForwarded() {
        final class Result: @unchecked Sendable {
            var signal: Int32?
        }
        let result = Result()
        var thread = pthread_t()
        pthread_create(&thread, nil, { arg in
            guard let arg else { return nil }
            let result = Unmanaged<Result>.fromOpaque(arg).takeRetainedValue()
            let waiter = SignalWaiter()
            var stray = pthread_t()
            pthread_create(&stray, nil, { _ in
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, SIGINT)
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                // Delivered here, where it is not blocked: the handler runs on this thread.
                pthread_kill(pthread_self(), SIGINT)
                return nil
            }, nil)
            pthread_join(stray, nil)
            result.signal = waiter.waitForSignal(timeout: 10)
            return nil
        }, Unmanaged.passRetained(result).toOpaque())
        pthread_join(thread, nil)
        #expect(result.signal == SIGINT)
    }
}
