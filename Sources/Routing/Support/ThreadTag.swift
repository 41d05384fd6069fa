/// What Pound prints as `(tid)` in its diagnostics, for the thread of event loop
/// `loop`: the proxy's messages and the Lua runtime's name a loop alike.
public enum ThreadTag {
    public static func forLoop(_ loop: Int) -> String {
        String(0x1000 + loop, radix: 16)
    }
}
