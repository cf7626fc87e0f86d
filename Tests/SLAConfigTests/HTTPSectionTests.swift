import SLAConfig
import Testing

@Suite("the http section")
struct HTTPSectionTests {
    @Test(
        "listen addresses",
        arguments: [
            ("127.0.0.1:9187", "127.0.0.1", 9187),
            ("localhost:1", "localhost", 1),
            ("[::1]:9187", "::1", 9187),
            ("[fe80::1%eth0]:65535", "fe80::1%eth0", 65535),
            ("0.0.0.0:80", "0.0.0.0", 80),
        ])
    func goodAddress(text: String, host: String, port: Int) throws {
        let parsed = try #require(HTTPSettings.parseAddress(text))
        #expect(parsed.host == host && parsed.port == port)
    }

    @Test(
        "not host:port",
        arguments: ["9187", ":9187", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "::1:9187",
            "[::1]9187", "[127.0.0.1]:80", "host:port", "a b:80", "127.0.0.1:+80", "127.0.0.1:009187"])
    func badAddress(text: String) {
        #expect(HTTPSettings.parseAddress(text) == nil)
    }

    @Test("the daemon reads the addresses with their place in the file")
    func settings() throws {
        let yaml = Fixture.valid + "http:\n  listen: [\"127.0.0.1:9187\", \"[::1]:9188\"]\n"
        #expect(Fixture.diagnostics(yaml).isEmpty)
        let settings = try #require(try ConfigLoader.httpSettings(yaml: yaml, file: "test.yaml").get())
        #expect(settings.listen.map(\.text) == ["127.0.0.1:9187", "[::1]:9188"])
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(settings.listen.map(\.line) == [lines, lines])
        #expect(settings.listen.map(\.column) == [12, 30])
        #expect(try ConfigLoader.httpSettings(yaml: Fixture.valid, file: "test.yaml").get() == nil)
    }

    @Test(
        "mistakes are configuration errors at their place",
        arguments: [
            ("http:\n  listen: [\"9187\"]\n", 2, 12, "\"9187\" is not host:port"),
            ("http:\n  listen: \"127.0.0.1:9187\"\n", 2, 11, "http.listen must be a list"),
            ("http:\n  listen: [\"127.0.0.1:1\", \"127.0.0.1:1\"]\n", 2, 27, "127.0.0.1:1 is listed twice"),
            ("http:\n  port: 9187\n", 2, 3, "port"),
            ("http: {}\n", 1, 7, "http has no listen list"),
        ])
    func mistakes(snippet: String, line: Int, column: Int, fragment: String) throws {
        let lines = Fixture.valid.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        let diagnostics = Fixture.diagnostics(Fixture.valid + snippet)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.line == lines + line && diagnostic.column == column, "\(diagnostic)")
        #expect(diagnostic.message.contains(fragment), "\(diagnostic.message)")
    }
}
