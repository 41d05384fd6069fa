/// What the status callback hands out: a checked answer's DER, as the responder sent it,
/// until the answer's nextUpdate (nil: the responder gave none, so it stands until a newer
/// one replaces it). Arrays are copy-on-write, so handing one out under the lock is a
/// reference count, not a copy of the bytes.
struct Staple: Sendable {
    let response: [UInt8]
    let expires: Double?

    func isCurrent(at now: Double) -> Bool {
        expires.map { now < $0 } ?? true
    }
}
