/// What the engine decided while handling an event or a deadline.
///
/// The caller owns one and reuses it (`removeAll(keepingCapacity:)`), so the hot path allocates nothing.
public struct EngineOutput: Sendable {
    /// Timeline records, in the order they happened.
    public var records: [TimelineRecord] = []
    /// Thresholds to arm: call ``ClockEngine/fire(_:into:)`` when each comes due.
    public var deadlines: [Deadline] = []

    public init() {}

    public mutating func removeAll() {
        records.removeAll(keepingCapacity: true)
        deadlines.removeAll(keepingCapacity: true)
    }
}
