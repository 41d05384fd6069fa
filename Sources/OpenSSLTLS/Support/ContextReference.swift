/// An `SSL_CTX` pointer that may cross threads: OpenSSL's contexts are reference counted
/// and safe to use from any thread once configured.
struct ContextReference: @unchecked Sendable {
    let ctx: OpaquePointer
}
