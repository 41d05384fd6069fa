/// `Constant "NAME" "VALUE"` (or read from a file), expanded by `%[const NAME]`.
///
/// A constant read with `-filewatch` keeps its file so the runtime can refresh the
/// value; `value` is nil when that file did not exist at startup (Pound then expands
/// the constant to nothing until the file appears).
public struct StringConstant: Sendable {
    public var name: String
    public var value: String?
    public var file: WatchedFile?
    /// `-trim`: trailing whitespace of the file's content is dropped.
    public var trim = false
    /// Where the constant was defined (the name token), for "redefined" notes.
    public var range: LocusRange = .unset

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}
