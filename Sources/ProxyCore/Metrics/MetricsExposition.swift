/// The OpenMetrics text Pound's `Metrics` backend sends (`exposition_format`):
/// families in the order they were first met, each with `# TYPE`, `# UNIT` when it
/// has one, `# HELP` and its samples; families without samples are left out; the
/// text ends with `# EOF`.
struct MetricsExposition: Sendable {
    /// Pound's `Content-Type` for the reply.
    static let contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

    private(set) var families: [MetricFamily] = []
    private(set) var samples: [[MetricSample]] = []

    init() {}

    /// Registers `family` at the end of the output unless it is there already
    /// (Pound's `exposition_metric_find`), and returns its position.
    @discardableResult
    mutating func touch(_ family: MetricFamily) -> Int {
        if let i = families.firstIndex(of: family) { return i }
        families.append(family)
        samples.append([])
        return families.count - 1
    }

    mutating func add(_ family: MetricFamily, labels: [MetricLabel] = [], value: Double) {
        let i = touch(family)
        samples[i].append(MetricSample(labels: labels, value: value))
    }

    func sampleList(_ family: MetricFamily) -> [MetricSample] {
        families.firstIndex(of: family).map { samples[$0] } ?? []
    }

    var rendered: String {
        var out = ""
        for (family, list) in zip(families, samples) where !list.isEmpty {
            out += "# TYPE \(family.name) \(family.type)\n"
            if let unit = family.unit { out += "# UNIT \(family.name) \(unit)\n" }
            out += "# HELP \(family.name) \(family.help)\n"
            for sample in list {
                out += family.sampleName
                if !sample.labels.isEmpty {
                    out += "{"
                    for (i, label) in sample.labels.enumerated() {
                        if i > 0 { out += "," }
                        out += label.name + "=\""
                        Self.escape(label.value, into: &out)
                        out += "\""
                    }
                    out += "}"
                }
                out += " " + Self.format(sample.value) + "\n"
            }
        }
        return out + "# EOF\n"
    }

    /// Pound prints values with `%.0f`.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-Inf" : "+Inf") }
        let r = value.rounded(.toNearestOrEven)
        if abs(r) < 9.0e18 { return String(Int64(r)) }
        return String(r)
    }

    /// Pound writes label values as they are (its FIXME); OpenMetrics requires
    /// backslash, quote and newline escaped, so a name holding them still parses.
    static func escape(_ value: String, into out: inout String) {
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
    }
}
