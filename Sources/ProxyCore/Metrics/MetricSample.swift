/// One sample line of an exposition: labels in the order written, then the value.
struct MetricSample: Sendable, Equatable {
    var labels: [MetricLabel]
    var value: Double
}

/// A `name="value"` pair of a sample.
struct MetricLabel: Sendable, Equatable {
    let name: String
    let value: String

    init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
