// STUB: owned by the conditions helper.
extension RewriteRules {
    /// SetHeader, DeleteHeader, SetURL, SetPath, SetQuery, DeleteQuery, SetQueryParam,
    /// LuaModify and `Rewrite [request|response] ... End`. With `listener`, also the
    /// deprecated 2.x spellings (HeaderAdd/AddHeader, HeaderRemove/HeadRemove).
    public static func statements(listener: Bool) -> [Statement<RewriteRules>] { [] }
}
