/// The last few thousand timer-fired records' lateness (emission minus due instant): what an
/// operator asks of a timer, and what the benchmark reads.
public struct TimerLateness: Sendable {
    public struct Summary: Sendable, Equatable {
        public var samples: Int
        public var p50: Double
        public var p99: Double
        public var max: Double
    }

    private var samples: [Double] = []
    private var next = 0
    static let capacity = 10_000

    mutating func add(_ seconds: Double) {
        if samples.count < Self.capacity {
            samples.append(seconds)
        } else {
            samples[next] = seconds
            next = (next + 1) % Self.capacity
        }
    }

    var summary: Summary? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func at(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))] }
        return Summary(samples: sorted.count, p50: at(0.5), p99: at(0.99), max: sorted[sorted.count - 1])
    }
}
