import NIOCore
import ProcessSupport

/// Runs a shell command from an event loop without blocking it: the child is polled for its exit
/// status, and killed (with its process group) when it outlives `timeout`.
enum ScriptRun {
    /// The exit status, or nil when the command could not start or was killed on timeout.
    static func run(_ command: String, arguments: [String] = [], timeout: TimeAmount,
                    on loop: EventLoop) -> EventLoopFuture<Int32?> {
        let child: ShellCommand
        do {
            child = try ShellCommand.start(command, arguments: arguments)
        } catch {
            return loop.makeSucceededFuture(nil)
        }
        let promise = loop.makePromise(of: Int32?.self)
        let deadline = NIODeadline.now() + timeout
        @Sendable func poll() {
            if let status = child.exitStatus() {
                promise.succeed(status)
            } else if NIODeadline.now() >= deadline {
                child.kill()
                // Reaped on the next turns; the result is already known.
                reapLater(child, on: loop, attempts: 100)
                promise.succeed(nil)
            } else {
                loop.scheduleTask(in: .milliseconds(10)) { poll() }
            }
        }
        poll()
        return promise.futureResult
    }

    private static func reapLater(_ child: ShellCommand, on loop: EventLoop, attempts: Int) {
        guard attempts > 0, child.exitStatus() == nil else { return }
        loop.scheduleTask(in: .milliseconds(50)) { reapLater(child, on: loop, attempts: attempts - 1) }
    }
}
