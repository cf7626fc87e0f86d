/// How long slad keeps what it no longer needs to run the clocks: the configuration's `retention`.
///
/// One section for every kind of history slad keeps (the timeline's records now, reports later),
/// so an operator states the policy in one place.
public struct Retention: Sendable, Equatable {
    /// Days the timeline records of a closed ticket are kept after they were written. An open
    /// ticket keeps all of its records, however old.
    public var recordDays: Int
    /// Days the report outcomes of a closed ticket are kept (`retention.reports`): what
    /// `slactl report` can still count.
    public var reportDays: Int

    /// 400 days: a year of history and a month to look back across its end.
    public static let defaultDays = 400
    /// The longest retention accepted: a hundred years.
    public static let maximumDays = 36_500

    public init(recordDays: Int = Retention.defaultDays, reportDays: Int = Retention.defaultDays) {
        self.recordDays = recordDays
        self.reportDays = reportDays
    }

    /// ``recordDays`` in seconds.
    public var recordSeconds: Int64 { Int64(recordDays) * 86_400 }

    /// ``reportDays`` in seconds.
    public var reportSeconds: Int64 { Int64(reportDays) * 86_400 }
}
