import Yams

/// The optional `http` section: where slad's HTTP listener (`/metrics`, `/healthz`) serves.
public struct HTTPSettings: Sendable, Equatable {
    /// One `host:port` of `listen`, with its place in the file for the messages of a failed bind.
    public struct Address: Sendable, Hashable {
        /// A name or an IP address; an IPv6 address without its brackets.
        public var host: String
        public var port: Int
        public var line: Int
        public var column: Int

        public init(host: String, port: Int, line: Int = 1, column: Int = 1) {
            self.host = host
            self.port = port
            self.line = line
            self.column = column
        }

        /// `host:port`, IPv6 in brackets, as written in the file.
        public var text: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        public static func == (lhs: Address, rhs: Address) -> Bool { lhs.host == rhs.host && lhs.port == rhs.port }
        public func hash(into hasher: inout Hasher) {
            hasher.combine(host)
            hasher.combine(port)
        }
    }

    public var listen: [Address]

    public init(listen: [Address]) {
        self.listen = listen
    }

    /// Reads `host:port` (`[v6]:port` for IPv6); nil when it is not of that form.
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            guard host.contains(":") else { return nil }
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            guard !host.contains(":") else { return nil }
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }),
            !portText.isEmpty, portText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            portText.count <= 5, let port = Int(portText), (1...65535).contains(port)
        else { return nil }
        return (String(host), port)
    }
}

extension ConfigLoader {
    /// The `http` section of a configuration text, nil when there is none. The text is assumed to have
    /// passed ``parse(yaml:file:)``, which reports the section's mistakes with the rest.
    public static func httpSettings(yaml: String, file: String) -> Result<HTTPSettings?, ConfigErrors> {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return .failure(ConfigErrors(diagnostics: [syntaxDiagnostic(error, file: file)]))
        }
        guard case .mapping(let mapping)? = root else { return .success(nil) }
        for (key, value) in mapping where key.string == "http" {
            var reader = ConfigReader(file: file)
            let settings = reader.readHTTP(value)
            if !reader.diagnostics.isEmpty { return .failure(ConfigErrors(diagnostics: reader.diagnosticsInFileOrder)) }
            return .success(settings)
        }
        return .success(nil)
    }
}

extension ConfigReader {
    /// Reads `http: {listen: ["127.0.0.1:9187", "[::1]:9187"]}`.
    mutating func readHTTP(_ node: Node) -> HTTPSettings? {
        let before = diagnostics.count
        guard let fields = mapping(node, "http", allowed: ["listen"], example: "{listen: [\"127.0.0.1:9187\"]}") else {
            return nil
        }
        guard let field = fields["listen"] else {
            // A misspelt key was reported already: saying listen is missing too would be the same mistake twice.
            if diagnostics.count == before {
                report(node, "http has no listen list; add one, for example listen: [\"127.0.0.1:9187\"]")
            }
            return nil
        }
        guard let items = list(field.value, "http.listen", example: "[\"127.0.0.1:9187\", \"[::1]:9187\"]") else {
            return nil
        }
        var addresses: [HTTPSettings.Address] = []
        for item in items {
            guard let text = text(item, "an http.listen address", example: "\"127.0.0.1:9187\"") else { continue }
            guard let (host, port) = HTTPSettings.parseAddress(text) else {
                report(
                    item,
                    "\"\(text)\" is not host:port; write for example \"127.0.0.1:9187\", \"localhost:9187\" or "
                        + "\"[::1]:9187\" (IPv6 in brackets), with a port from 1 to 65535")
                continue
            }
            let address = HTTPSettings.Address(
                host: host, port: port, line: item.mark?.line ?? 1, column: item.mark?.column ?? 1)
            if addresses.contains(address) {
                report(item, "\(text) is listed twice in http.listen; list each address once")
                continue
            }
            addresses.append(address)
        }
        return HTTPSettings(listen: addresses)
    }
}
