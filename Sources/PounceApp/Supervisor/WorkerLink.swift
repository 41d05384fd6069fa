import ProcessSupport
import Synchronization

/// The supervisor's end of a worker's link: one question at a time (the reload on the
/// supervisor's thread and VRRP's checks on theirs may ask together), each answer
/// awaited until a deadline. A question that timed out leaves its answer to be
/// skipped by id when the next one reads.
final class WorkerLink: Sendable {
    /// What came of a question.
    enum Outcome: Equatable {
        case answer(String)
        case data([UInt8])
        /// The worker ended (its end of the link is closed): it did not fail a check, it is gone.
        case gone
        /// No answer in time, or one that made no sense: the worker is not well.
        case silent
    }

    private struct State: ~Copyable {
        let connection: LinkConnection
        var nextID: UInt64 = 1
        var open = true
    }
    private let state: Mutex<State>

    init(connection: LinkConnection) {
        state = Mutex(State(connection: connection))
    }

    func ask(_ request: LinkRequest, timeout: Double) -> Outcome {
        state.withLock { state -> Outcome in
            guard state.open else { return .gone }
            let id = state.nextID
            state.nextID += 1
            let deadline = LinkConnection.now() + timeout
            guard state.connection.write(request.line(id: id)) else { return .gone }
            reading: while let line = state.connection.readLine(deadline: deadline) {
                guard let (answerID, reply) = LinkReply.parse(line) else { break }
                let outcome: Outcome
                switch reply {
                case .word(let word):
                    outcome = .answer(word)
                case .data(let length):
                    guard let bytes = state.connection.readBytes(length, deadline: deadline) else { break reading }
                    outcome = .data(bytes)
                }
                if answerID == id { return outcome }
            }
            // Half an answer would put the next question out of step: start clean.
            state.connection.discardBuffered()
            return state.connection.reachedEnd ? .gone : .silent
        }
    }

    /// A one-word answer, or nil.
    func word(_ request: LinkRequest, timeout: Double) -> String? {
        guard case .answer(let word) = ask(request, timeout: timeout) else { return nil }
        return word
    }

    /// A `data` answer's bytes, or nil.
    func fetch(_ request: LinkRequest, timeout: Double) -> [UInt8]? {
        guard case .data(let bytes) = ask(request, timeout: timeout) else { return nil }
        return bytes
    }

    func close() {
        state.withLock { state in
            if state.open { state.connection.close() }
            state.open = false
        }
    }
}
