import Testing
import HTTPWire
import PoundConfig
@testable import Routing
#if canImport(Glibc)
import Glibc
#endif

/// Conditions and rewrite rules recurse once per level of nesting when they are
/// compiled and evaluated; the parser's `nestingLimit` bounds that. These tests take
/// the deepest configurations the parser accepts and measure how much stack their
/// evaluation uses: it must fit with a wide margin in an event-loop thread (glibc
/// gives new threads 8 MiB, or 2 MiB when the stack limit is unlimited).
@Suite struct NestingDepthTests {
    let limit = ConfigParser.nestingLimit

    /// A listener (level 1) with one service (level 2) around `body`, after `before`.
    private func config(_ before: String = "", service body: String) -> String {
        before + """
        ListenHTTP
          Address 127.0.0.1
          Port 8080
          Service "deep"
        \(body)
        \(backend(9000))  End
        End

        """
    }

    private func nested(_ opening: String, _ n: Int, around inner: String) -> String {
        String(repeating: opening + "\n", count: n) + inner + "\n" + String(repeating: "End\n", count: n)
    }

    /// Named conditions `c0`...`c(n-1)`, each evaluating the one before; `c(i)` is
    /// `i + 1` levels deep.
    private func evalChain(_ n: Int) -> String {
        var s = "Condition \"c0\"\nURL \"^/deep\"\nEnd\n"
        for i in 1..<n { s += "Condition \"c\(i)\"\nEval \"c\(i - 1)\"\nEnd\n" }
        return s
    }

    /// The deepest configurations: each reaches exactly `limit` levels.
    private var deepest: [(name: String, text: String)] {
        let free = limit - 2
        let rewrites = limit / 2
        let matches = free - rewrites - 10
        return [
            ("Match", config(service: nested("Match AND", free, around: "URL \"^/deep\""))),
            ("Not", config(service: String(repeating: "Not ", count: free) + "URL \"^/deep\"")),
            ("Eval", config(evalChain(free), service: "Eval \"c\(free - 1)\"")),
            ("Rewrite", config(service: nested("Rewrite", free, around: "SetHeader \"X-Deep: 1\""))),
            ("Rewrite+Match+Eval", config(evalChain(10), service: nested("Rewrite", rewrites, around:
                nested("Match OR", matches, around: "Eval \"c9\"") + "SetHeader \"X-Deep: 1\""))),
        ]
    }

    @Test func theDeepestAcceptedConfigurationsRunInASmallStack() throws {
        #expect(limit % 2 == 0, "the Not chain above must be even to match")
        for (name, text) in deepest {
            let fixture = Fixture()
            // Parsed and compiled on a thread as large as the main thread's.
            let (table, parseStack) = onThread(stack: 8 << 20) { try? routing(text, fixture: fixture) }
            let t = try #require(table, "\(name) was refused")
            let (outcome, runStack) = onThread(stack: 2 << 20) { () -> String? in
                var r = request("GET", "/deep")
                guard case .service(let s) = t.listeners[0].select(&r), s.name == "deep" else { return nil }
                guard s.rewrites.request.apply(to: &r) else { return "rewrite failed" }
                return r.head.headers.first("X-Deep") ?? "no header"
            }
            #expect(outcome == (name.hasPrefix("Rewrite") ? "1" : "no header"), "\(name)")
            // In a debug build, 256 levels take about 1.25 MiB to parse and compile (on
            // the main thread) and 135 KiB to evaluate, 320 KiB with Evals.
            #expect(parseStack < 2 << 20, "\(name): parsing used \(parseStack) bytes of stack")
            #expect(runStack < 512 << 10, "\(name): evaluation used \(runStack) bytes of stack")
            print("\(name): \(limit) levels, parse \(parseStack / 1024) KiB, evaluation \(runStack / 1024) KiB of stack")
        }
    }
}

private final class ThreadJob {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Runs `body` on a new thread with a `size`-byte stack (below a guard page), painted
/// beforehand so that the bytes it never touched tell how much of it was used.
private func onThread<T>(stack size: Int, _ body: @escaping () -> T) -> (result: T, stackUsed: Int) {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let mapping = mmap(nil, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
    guard let base = mapping, base != MAP_FAILED else { fatalError("mmap failed") }
    defer { munmap(base, size + page) }
    mprotect(base, page, PROT_NONE)
    let stack = base + page
    memset(stack, 0xA5, size)

    var result: T?
    let job = ThreadJob { result = body() }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstack(&attributes, stack, size)
    var thread = pthread_t()
    let rc = pthread_create(&thread, &attributes, { arg in
        Unmanaged<ThreadJob>.fromOpaque(arg!).takeRetainedValue().body()
        return nil
    }, Unmanaged.passRetained(job).toOpaque())
    precondition(rc == 0, "pthread_create: \(rc)")
    pthread_join(thread, nil)

    let bytes = stack.assumingMemoryBound(to: UInt8.self)
    var untouched = 0
    while untouched < size, bytes[untouched] == 0xA5 { untouched += 1 }
    return (result!, size - untouched)
}
