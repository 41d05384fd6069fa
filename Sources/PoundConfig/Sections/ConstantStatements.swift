// STUB: owned by the conditions helper.
extension StringConstant {
    /// `Constant "NAME" "VALUE"` / `Constant "NAME" -file|-filewatch "f" [-trim]`.
    public static func statement() -> Statement<[String: StringConstant]> {
        Statement("Constant") { p, _ in throw p.fail("Constant: not implemented") }
    }
}
