import PoundConfig

extension LogSuppressMask {
    /// Whether `LogSuppress` hides a request answered with `status`.
    func suppresses(_ status: Int) -> Bool {
        switch status / 100 {
        case 1: contains(.info)
        case 2: contains(.success)
        case 3: contains(.redirect)
        case 4: contains(.clientError)
        case 5: contains(.serverError)
        default: false
        }
    }
}
