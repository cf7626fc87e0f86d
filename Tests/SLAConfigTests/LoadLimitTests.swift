import Foundation
import SLAConfig
import SLACore
import SLATestKit
import Testing

/// Big and hostile configuration files: refused by size before parsing, and loading linear in the file.
@Suite("Configuration size and loading time")
struct LoadLimitTests {
    static func write(_ text: String) throws -> String {
        let path = try makeTemporaryDirectory(prefix: "slad-config") + "/slad.yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test("a file over 4 MiB is refused with a sentence at 1:1, before it is parsed")
    func tooLarge() throws {
        // Not YAML at all: a parse would report a syntax error instead of the size.
        let path = try Self.write(String(repeating: "[[[[", count: (4 << 20) / 4 + 1))
        var result: Result<Configuration, ConfigErrors>?
        let took = Self.seconds { result = ConfigLoader.load(path: path) }
        guard case .failure(let failure) = result else {
            Issue.record("a file over 4 MiB must be refused")
            return
        }
        let errors = failure.diagnostics
        #expect(errors.count == 1)
        #expect((errors.first?.line, errors.first?.column) == (1, 1))
        #expect(errors.first?.message.contains("larger than 4 MiB") == true)
        #expect(took < 1)
        // 4 MiB exactly is read (and here refused as YAML, not for its size).
        let limit = try Self.write(String(repeating: "#", count: 4 << 20))
        if case .failure(let failure) = ConfigLoader.load(path: limit) {
            #expect(!failure.diagnostics.contains { $0.message.contains("4 MiB") })
        }
    }

    @Test("100,000 calendars load in well under a few seconds")
    func manyCalendars() throws {
        var text = "calendars:\n"
        for i in 0..<100_000 { text += "  c\(i): {timezone: UTC}\n" }
        let yaml = Fixture.valid.replacingOccurrences(of: "calendars:\n", with: text)
        var configuration: Configuration?
        let took = try Self.seconds { configuration = try ConfigLoader.parse(yaml: yaml, file: "t.yaml").get() }
        #expect(configuration?.calendars.count == 100_002)
        // 4.4 s in a debug build here, and linear (1.1 s for 25,000, 2.5 s for 50,000); the duplicate
        // check that searched the keys read so far made this quadratic: minutes.
        #expect(took < 30, "took \(took) s")
    }

    @Test("a 3 MiB holiday list loads in well under a few seconds")
    func longHolidayList() throws {
        var dates: [String] = []
        var day = CivilDate.days(year: 2000, month: 1, day: 1)
        var size = 0
        while size < 3 << 20 {
            let date = CivilDate.date(days: day)
            let text = LocalDate(year: Int(date.year), month: Int(date.month), day: Int(date.day)).description
            dates.append(text)
            size += text.utf8.count + 4
            day += 1
        }
        let office = "timezone: UTC\nholidays: [\(dates.joined(separator: ", "))]"
        let yaml = Fixture.document(Fixture.calendars(office: office))
        var configuration: Configuration?
        let took = try Self.seconds { configuration = try ConfigLoader.parse(yaml: yaml, file: "t.yaml").get() }
        #expect(configuration?.calendars[0].holidays.count == dates.count)
        // 1.9 s in a debug build here.
        #expect(took < 20, "took \(took) s")
    }
}
