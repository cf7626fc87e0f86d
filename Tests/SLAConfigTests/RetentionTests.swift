import SLAConfig
import SLACore
import Testing

@Suite("retention: how long history is kept")
struct RetentionTests {
    private func load(_ section: String?) -> Result<Configuration, ConfigErrors> {
        let yaml = section.map(Fixture.document) ?? Fixture.valid
        return ConfigLoader.parse(yaml: yaml, file: "test.yaml")
    }

    @Test("records are kept 400 days unless the file says otherwise")
    func values() throws {
        #expect(try load(nil).get().retention.recordDays == 400)
        #expect(try load("retention: {records: 30d}").get().retention.recordDays == 30)
        #expect(try load("retention:\n  records: 36500d").get().retention == Retention(recordDays: 36_500))
        #expect(try load("retention: {}").get().retention.recordDays == 400)
    }

    @Test("report outcomes are kept 400 days unless retention.reports says otherwise, apart from records")
    func reports() throws {
        #expect(try load(nil).get().retention.reportDays == 400)
        #expect(try load("retention: {reports: 800d}").get().retention == Retention(recordDays: 400, reportDays: 800))
        #expect(
            try load("retention: {records: 30d, reports: 90d}").get().retention
                == Retention(recordDays: 30, reportDays: 90))
        let diagnostics = Fixture.diagnostics(Fixture.document("retention: {reports: 2w}"))
        #expect(diagnostics.map(\.message) == ["retention.reports \"2w\" is not a number of days; write it like 400d"])
    }

    @Test(
        "a retention that is not a whole number of days, or is out of range, or an unknown key, is refused at its place",
        arguments: [
            ("retention: {records: 30h}", 1, 22, "\"30h\" is not a number of days; write it like 400d"),
            ("retention: {records: 0d}", 1, 22, "must be between 1d and 36500d"),
            ("retention: {records: 36501d}", 1, 22, "must be between 1d and 36500d"),
            ("retention: {records: -4d}", 1, 22, "is not a number of days"),
            ("retention: {records: 99999999999999999999d}", 1, 22, "is not a number of days"),
            ("retention: {records: ４d}", 1, 22, "is not a number of days"),
            ("retention: {timeline: 30d}", 1, 13, "unknown key \"timeline\""),
            ("retention: 400d", 1, 12, "retention must be a mapping"),
        ])
    func refused(section: String, line: Int, column: Int, fragment: String) {
        let diagnostics = Fixture.diagnostics(Fixture.document(section))
        #expect(diagnostics.count == 1, "\(diagnostics)")
        let diagnostic = diagnostics.first
        #expect(diagnostic?.line == line && diagnostic?.column == column, "\(diagnostics)")
        #expect(diagnostic?.message.contains(fragment) == true, "\(diagnostics)")
    }
}
