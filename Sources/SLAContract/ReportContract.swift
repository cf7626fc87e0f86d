import SLAJSON

extension SlaInterface {
    /// `Report(since: ?string, until: ?string, by: ?string, group: ?[]string, timezone: ?string,
    /// format: ?string) -> (format: string, text: string)`: the service level report from the stored
    /// outcomes, in the form asked (`table`, `csv`, `json`, `html`; default `json`), as `slad report`
    /// writes it offline.
    public enum Report: VarlinkMethod {
        public static let name = "Report"

        public struct Parameters: VarlinkRecord {
            public var since: String?
            public var until: String?
            public var by: String?
            public var group: [String]?
            public var timezone: String?
            public var format: String?

            public init(
                since: String? = nil, until: String? = nil, by: String? = nil, group: [String]? = nil,
                timezone: String? = nil, format: String? = nil
            ) {
                self.since = since
                self.until = until
                self.by = by
                self.group = group
                self.timezone = timezone
                self.format = format
            }

            public static let fields: [VarlinkField] = [
                .init("since", "?string"), .init("until", "?string"), .init("by", "?string"),
                .init("group", "?[]string"), .init("timezone", "?string"), .init("format", "?string"),
            ]

            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                var group: [String]?
                if let value = json["group"], value != .null { group = try read.strings("group") }
                self.init(
                    since: try read.optionalString("since"), until: try read.optionalString("until"),
                    by: try read.optionalString("by"), group: group, timezone: try read.optionalString("timezone"),
                    format: try read.optionalString("format"))
            }

            public var json: [String: JSONValue] {
                var write = FieldWriter()
                write.set("since", since)
                write.set("until", until)
                write.set("by", by)
                if let group { write.set("group", group) }
                write.set("timezone", timezone)
                write.set("format", format)
                return write.members
            }
        }

        public struct Reply: VarlinkRecord {
            public var format: String
            public var text: String
            public init(format: String, text: String) {
                self.format = format
                self.text = text
            }
            public static let fields: [VarlinkField] = [.init("format", "string"), .init("text", "string")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(format: try read.string("format"), text: try read.string("text"))
            }
            public var json: [String: JSONValue] { ["format": .string(format), "text": .string(text)] }
        }
    }
}
