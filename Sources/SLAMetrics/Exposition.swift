/// The two text formats a scraper may ask for.
public enum ExpositionFormat: Sendable, Equatable {
    /// Prometheus text exposition format 0.0.4.
    case text
    /// OpenMetrics 1.0.0 text.
    case openMetrics

    /// The `Content-Type` of a response in this format.
    public var contentType: String {
        switch self {
        case .text: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// The format an `Accept` header prefers: OpenMetrics when it is asked for with a quality at least
    /// that of plain text (Prometheus asks for it first), else the 0.0.4 text.
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .text }
        var openMetrics = 0.0
        var text = 0.0
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { $0.trimmingSpaces().lowercased() }
            guard let type = parts.first else { continue }
            var quality = 1.0
            var version: String?
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces() }
                guard pair.count == 2 else { continue }
                if pair[0] == "q" { quality = Double(pair[1]) ?? 0 }
                if pair[0] == "version" { version = pair[1] }
            }
            switch type {
            case "application/openmetrics-text" where version == nil || version == "1.0.0" || version == "0.0.1":
                openMetrics = max(openMetrics, quality)
            case "text/plain", "text/*", "*/*":
                text = max(text, quality)
            default:
                break
            }
        }
        return openMetrics > 0 && openMetrics >= text ? .openMetrics : .text
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String { Substring(self).trimmingSpaces() }
}

/// Turns the registry's output into what a scraper gets: families sorted by name, each with its HELP
/// line (swift-prometheus writes none for metrics made through swift-metrics), in the format asked for.
public enum Exposition {
    /// - Parameters:
    ///   - registryText: families in Prometheus text format, each begun by its `# TYPE` line.
    ///   - help: help text by family name; a family without one gets none.
    public static func render(_ registryText: [UInt8], format: ExpositionFormat, help: [String: String]) -> [UInt8] {
        struct Family {
            var name: Substring
            var kind: Substring
            var samples: [Substring] = []
        }
        let text = String(decoding: registryText, as: UTF8.self)
        var families: [Family] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let fields = line.split(separator: " ")
                guard fields.count == 4 else { continue }
                families.append(Family(name: fields[2], kind: fields[3]))
            } else if line.hasPrefix("#") {
                continue
            } else if !families.isEmpty {
                families[families.count - 1].samples.append(line)
            }
        }
        families.sort { $0.name < $1.name }
        // The registry keeps series in a dictionary: sorted, the output is the same from scrape to scrape.
        // A histogram's lines stay as they are (its buckets are in `le` order, then sum and count).
        for index in families.indices where families[index].kind != "histogram" { families[index].samples.sort() }
        var out: [UInt8] = []
        out.reserveCapacity(registryText.count + families.count * 96 + 8)
        for family in families where !family.samples.isEmpty {
            var name = family.name
            // OpenMetrics names a counter's family without the `_total` its samples carry.
            if format == .openMetrics, family.kind == "counter", name.hasSuffix("_total") { name = name.dropLast(6) }
            if let help = help[String(family.name)] {
                out.append(contentsOf: "# HELP \(name) \(escapeHelp(help, format))\n".utf8)
            }
            out.append(contentsOf: "# TYPE \(name) \(family.kind)\n".utf8)
            for sample in family.samples {
                out.append(contentsOf: sample.utf8)
                out.append(UInt8(ascii: "\n"))
            }
        }
        if format == .openMetrics { out.append(contentsOf: "# EOF\n".utf8) }
        return out
    }

    static func escapeHelp(_ help: String, _ format: ExpositionFormat) -> String {
        var escaped = help.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
        if format == .openMetrics { escaped = escaped.replacingAll("\"", with: "\\\"") }
        return escaped
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
