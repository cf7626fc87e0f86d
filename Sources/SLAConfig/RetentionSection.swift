import SLACore
import Yams

extension ConfigReader {
    /// Reads `retention: {records: 400d, reports: 400d}`; keys left out keep their default.
    mutating func readRetention(_ node: Node) -> Retention {
        var retention = Retention()
        guard
            let fields = mapping(node, "retention", allowed: ["records", "reports"], example: "{records: 400d}")
        else {
            return retention
        }
        if let entry = fields["records"], let days = days(entry.value, "retention.records") {
            retention.recordDays = days
        }
        if let entry = fields["reports"], let days = days(entry.value, "retention.reports") {
            retention.reportDays = days
        }
        return retention
    }

    /// A whole number of days written `400d`: retention is calendar time, unlike targets, so days
    /// are what it is said in.
    mutating func days(_ node: Node, _ what: String) -> Int? {
        guard let text = text(node, what, example: "400d") else { return nil }
        let digits = text.dropLast()
        guard text.hasSuffix("d"), !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let days = Int(digits)
        else {
            report(node, "\(what) \"\(text)\" is not a number of days; write it like 400d")
            return nil
        }
        guard (1...Retention.maximumDays).contains(days) else {
            report(node, "\(what) \"\(text)\" must be between 1d and \(Retention.maximumDays)d")
            return nil
        }
        return days
    }
}
