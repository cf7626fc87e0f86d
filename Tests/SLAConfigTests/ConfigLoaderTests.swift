import Foundation
import SLAConfig
import SLACore
import Testing

private let shippedPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("config/slad.yaml").path

private func load(_ yaml: String) -> Configuration? {
    if case .success(let configuration) = ConfigLoader.parse(yaml: yaml, file: "test.yaml") { return configuration }
    return nil
}

@Suite("The shipped config/slad.yaml")
struct ShippedConfigTests {
    let configuration: Configuration

    init() throws {
        switch ConfigLoader.load(path: shippedPath) {
        case .success(let configuration): self.configuration = configuration
        case .failure(let errors):
            Issue.record("config/slad.yaml has mistakes:\n\(errors)")
            throw errors
        }
    }

    @Test func calendarsResolve() throws {
        #expect(configuration.calendars.map(\.name) == ["office", "extended", "always"])
        let office = configuration.calendars[0]
        #expect(office.zone.name == "Europe/Berlin")
        let monday = try #require(office.weeklyHours?[0])
        #expect(
            monday == [ServiceWindow(start: 8 * 3600, end: 13 * 3600), ServiceWindow(start: 14 * 3600, end: 18 * 3600)])
        #expect(office.weeklyHours?[5] == [])
        #expect(office.holidays.map(\.description) == ["2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01"])
        #expect(
            configuration.calendars[1].weeklyHours?.allSatisfy { $0 == [ServiceWindow(start: 28_800, end: 61_200)] }
                == true)
        #expect(configuration.calendars[2].weeklyHours == nil)
        #expect(configuration.calendars[2].zone.offset(utc: 0) == 0)
    }

    @Test func prioritiesAndMatrix() {
        #expect(configuration.priorities.levels == ["P1", "P2", "P3", "P4"])
        #expect(configuration.priorities.level(impact: "high", urgency: "high") == 0)
        #expect(configuration.priorities.level(impact: "medium", urgency: "low") == 3)
        #expect(configuration.priorities.level(impact: "low", urgency: "high") == 2)
    }

    @Test func agreementsResolve() throws {
        let agreements = configuration.agreements
        #expect(agreements.map(\.name) == ["gold", "standard", "desk-ola", "ops-ola", "dev-ola", "acme-uc"])
        #expect(agreements.map(\.kind) == [.sla, .sla, .ola, .ola, .ola, .uc])
        let gold = agreements[0]
        #expect(gold.calendar == 2)
        #expect(gold.match == AgreementMatch(services: ["mail", "erp"], customers: ["acme"]))
        #expect(
            gold.targets[0]
                == PriorityTargets(
                    response: Target(seconds: 900, calendar: 2),
                    resolution: Target(seconds: 4 * 3600, calendar: 2)))
        #expect(gold.warn == [50, 75, 90])
        #expect(gold.pauseOn == ["waiting-customer"])
        #expect(agreements[1].match == nil)
        #expect(agreements[1].calendar == 0)
        #expect(agreements[3].calendar == 1)
        // The UC's severe faults count around the clock, the rest in office hours.
        let uc = agreements[5]
        #expect(uc.targets[0]?.resolution == Target(seconds: 3600, calendar: 2))
        #expect(uc.targets[1]?.resolution == Target(seconds: 3 * 3600, calendar: 0))
        #expect(uc.targets.allSatisfy { $0?.response == nil })
        #expect(configuration.slaIndex(service: "mail", customer: "acme") == 0)
        #expect(configuration.slaIndex(service: "print", customer: "acme") == 1)
    }

    @Test func linesAndRules() {
        #expect(configuration.lines.map(\.id) == [1, 2, 3, 4])
        #expect(configuration.lines.map(\.agreement) == [2, 3, 4, 5])
        #expect(configuration.lines[2].name == "Development and Architecture")
        #expect(
            configuration.hierarchicalRules == [
                HierarchicalRule(clock: .resolution, percent: 90, notify: "duty-manager"),
                HierarchicalRule(clock: .resolution, percent: 100, notify: "service-owner"),
                HierarchicalRule(clock: .line, line: 4, percent: 100, notify: "vendor-manager"),
                HierarchicalRule(clock: .resolution, percent: 150, notify: "it-manager"),
            ])
    }

    @Test func summary() {
        #expect(
            ConfigLoader.summary(of: configuration, file: "config/slad.yaml")
                == "config/slad.yaml: 3 calendars, 4 priorities, 6 agreements (2 sla, 3 ola, 1 uc), 4 lines, "
                + "4 hierarchical rules")
    }
}

@Suite("Loader behaviour")
struct ConfigLoaderTests {
    @Test func summaryUsesSingularForOne() throws {
        let yaml = Fixture.valid
        let configuration = try #require(load(yaml))
        #expect(
            ConfigLoader.summary(of: configuration, file: "x.yaml")
                == "x.yaml: 2 calendars, 2 priorities, 5 agreements (1 sla, 3 ola, 1 uc), 4 lines, 1 hierarchical rule")
    }

    @Test func manyMistakesAreAllReportedInFileOrder() {
        let yaml = """
            lines:
              - {id: 1, name: Service Desk, agreement: desk}
              - {id: 2, name: Incident Management, agreement: opps}
              - {id: 3, name: Development, agreement: dev}
            calendars:
              office:
                timezone: Europe/Berln
                hours:
                  mon-fri: ["08:00-17:00"]
                  tue: ["09:00-10:00"]
              always: {timezone: UTC}
            priorities:
              levels: [P1, P2]
            agreements:
              - {name: gold, kind: sla, calendar: ofice, targets: {P1: {resolution: 2d}}, warn: [150%]}
              - {name: desk, kind: ola, calendar: office, targets: {P1: {response: 10m}}}
              - {name: dev, kind: ola, calendar: always, targets: {P3: {resolution: 1h}}}
            escalation:
              hierarchical:
                - {clock: response, at: 90%}

            """
        let diagnostics = Fixture.diagnostics(yaml)
        let places = diagnostics.map { "\($0.line):\($0.column)" }
        #expect(
            places == ["2:3", "3:51", "7:15", "10:7", "15:39", "15:73", "15:86", "16:62", "17:56", "20:7"],
            "\(diagnostics.map(\.description).joined(separator: "\n"))")
        let messages = diagnostics.map(\.message)
        #expect(messages.count == 10)
        guard messages.count == 10 else { return }
        #expect(messages[0].contains("exactly four support lines"))
        #expect(messages[1].contains("unknown agreement \"opps\""))
        #expect(messages[2].contains("unknown time zone \"Europe/Berln\""))
        #expect(messages[3].contains("tue is named twice"))
        #expect(messages[4].contains("unknown calendar \"ofice\""))
        #expect(messages[5].contains("days are not accepted"))
        #expect(messages[6].contains("150% is out of range"))
        #expect(messages[7].contains("is an ola: its targets are how long the support line may hold the ticket"))
        #expect(messages[8].contains("unknown priority \"P3\""))
        #expect(messages[9].contains("has no notify"))
    }

    @Test func yamlSyntaxErrorHasItsPlace() throws {
        let yaml = "calendars:\n  office:\n    timezone: [UTC\npriorities: {}\n"
        let diagnostics = Fixture.diagnostics(yaml)
        #expect(diagnostics.count == 1)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.line == 4 && diagnostic.column == 11, "\(diagnostic)")
        #expect(diagnostic.message.hasPrefix("this is not valid YAML: "))
        #expect(diagnostic.description.hasPrefix("test.yaml:4:11: this is not valid YAML"))
    }

    @Test func badIndentationIsASyntaxError() throws {
        let diagnostics = Fixture.diagnostics("calendars:\n  office:\n    timezone: UTC\n   hours: {}\n")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.line == 4, "\(diagnostic)")
        #expect(diagnostic.message.contains("not valid YAML"))
    }

    @Test func duplicateKeyIsOneDiagnosticAtTheKey() throws {
        let yaml = Fixture.calendars(office: "timezone: UTC\ntimezone: UTC")
        let diagnostics = Fixture.diagnostics(Fixture.document(yaml))
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.line == 3 && diagnostic.column == 5, "\(diagnostic)")
        #expect(diagnostic.message.contains("the key \"timezone\" is given twice"))
    }

    @Test(arguments: ["", "\n", "# only a comment\n", "---\n", "~\n"])
    func emptyFileIsOneClearError(_ yaml: String) {
        let diagnostics = Fixture.diagnostics(yaml)
        #expect(
            diagnostics.map(\.description) == [
                "test.yaml:1:1: the configuration is empty; it must define calendars, priorities, agreements and lines "
                    + "(see the commented example config/slad.yaml)"
            ])
    }

    @Test func documentThatIsNotAMappingIsOneError() {
        let diagnostics = Fixture.diagnostics("- calendars\n- lines\n")
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.contains("the configuration must be a mapping") == true)
    }

    @Test func missingSectionsAreEachReported() {
        let diagnostics = Fixture.diagnostics("escalation:\n  hierarchical: []\n")
        #expect(
            diagnostics.map(\.message)
                == ["calendars", "priorities", "agreements", "lines"].map {
                    "the configuration has no \($0) section; add it (see the commented example config/slad.yaml)"
                })
        #expect(diagnostics.allSatisfy { $0.line == 1 && $0.column == 1 })
    }

    @Test func daysInADurationAreRefusedWithTheReason() throws {
        let section = Fixture.agreements(
            gold: "{name: gold, kind: sla, calendar: always, targets: {P1: {response: 1w, resolution: 3d}}}")
        let diagnostics = Fixture.diagnostics(Fixture.document(section))
        #expect(diagnostics.count == 2)
        for diagnostic in diagnostics {
            #expect(
                diagnostic.message.hasSuffix(
                    "days are not accepted: a day of service hours is ambiguous (8 hours? 24?); write hours, e.g. 40h for "
                        + "five 8-hour office days"))
        }
    }

    @Test func unreadableFileIsOneDiagnosticAtTheStart() {
        let path = "/nonexistent/slad-\(UInt64.random(in: 0...UInt64.max)).yaml"
        guard case .failure(let errors) = ConfigLoader.load(path: path) else {
            Issue.record("a missing file loaded")
            return
        }
        #expect(errors.diagnostics.count == 1)
        #expect(errors.diagnostics.first?.description.hasPrefix("\(path):1:1: ") == true)
    }

    @Test func errorsDescribeOneDiagnosticPerLine() {
        let errors = ConfigErrors(diagnostics: [
            ConfigDiagnostic(file: "a.yaml", line: 1, column: 2, message: "one"),
            ConfigDiagnostic(file: "a.yaml", line: 3, column: 4, message: "two"),
        ])
        #expect(errors.description == "a.yaml:1:2: one\na.yaml:3:4: two")
    }

    @Test func hoursEndingAtMidnightAndTouchingWindowsAreAccepted() throws {
        let section = Fixture.calendars(
            office: "timezone: UTC\nhours:\n  sat: [\"18:00-24:00\", \"00:00-06:00\"]\n  sun: [\"00:00-24:00\"]")
        let configuration = try #require(load(Fixture.document(section)))
        #expect(
            configuration.calendars[0].weeklyHours?[5] == [
                ServiceWindow(start: 0, end: 21_600), ServiceWindow(start: 64_800, end: 86_400),
            ])
        #expect(configuration.calendars[0].weeklyHours?[6] == [ServiceWindow(start: 0, end: 86_400)])
        #expect(configuration.calendars[0].weeklyHours?[0] == [])
    }

    @Test func matchAcceptsAScalarAndWarnIsSorted() throws {
        let gold =
            "{name: gold, kind: sla, calendar: always, match: {customer: acme}, targets: {P1: {resolution: 4h}}, warn: [90, 50%, 75]}"
        let configuration = try #require(load(Fixture.document(Fixture.agreements(gold: gold))))
        #expect(configuration.agreements[0].match == AgreementMatch(services: nil, customers: ["acme"]))
        #expect(configuration.agreements[0].warn == [50, 75, 90])
    }

    @Test func matrixIsOptional() throws {
        let configuration = try #require(load(Fixture.document("priorities:\n  levels: [P1, P2]")))
        #expect(configuration.priorities.matrix.isEmpty)
    }

    @Test func escalationIsOptional() throws {
        let yaml = Fixture.order.filter { $0 != "escalation" }.compactMap { Fixture.sections[$0] }.joined(
            separator: "\n")
        let configuration = try #require(load(yaml))
        #expect(configuration.hierarchicalRules.isEmpty)
    }

    @Test func perTargetCalendarOverridesTheAgreementCalendar() throws {
        let gold =
            "{name: gold, kind: sla, calendar: always, targets: {P1: {response: 15m, resolution: 4h, calendar: office}}}"
        let configuration = try #require(load(Fixture.document(Fixture.agreements(gold: gold))))
        #expect(configuration.agreements[0].calendar == 1)
        #expect(configuration.agreements[0].targets[0]?.resolution == Target(seconds: 14_400, calendar: 0))
        #expect(configuration.agreements[0].targets[1] == nil)
    }

    @Test func moreThanSixtyFourPauseReasonsAreRefused() throws {
        let text = try String(contentsOfFile: shippedPath, encoding: .utf8)
        let many = (0...64).map { "r\($0)" }.joined(separator: ", ")
        let changed = text.replacingOccurrences(
            of: "    pause_on: [waiting-customer, waiting-vendor-parts]", with: "    pause_on: [\(many)]")
        #expect(changed != text)
        guard case .failure(let errors) = ConfigLoader.parse(yaml: changed, file: "x.yaml") else {
            Issue.record("65 pause reasons were accepted")
            return
        }
        #expect(errors.diagnostics.count == 1)
        #expect(errors.diagnostics.first?.message.contains("more than 64 different pause reasons") == true)
        #expect(errors.diagnostics.first?.message.contains("\"r63\" is one too many") == true)
    }

    @Test func everyOneLineDeletionOfTheShippedFileIsHandled() throws {
        let text = try String(contentsOfFile: shippedPath, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for index in lines.indices {
            var changed = lines
            let removed = changed.remove(at: index)
            let trimmed = removed.trimmingCharacters(in: .whitespaces)
            let result = ConfigLoader.parse(yaml: changed.joined(separator: "\n"), file: "x.yaml")
            if case .failure(let errors) = result {
                #expect(!errors.diagnostics.isEmpty)
                #expect(errors.diagnostics.allSatisfy { $0.line >= 1 && $0.line <= lines.count && $0.column >= 1 })
            } else if !trimmed.isEmpty && !trimmed.hasPrefix("#") && !trimmed.hasPrefix("pause_on")
                && !trimmed.hasPrefix("warn") && !trimmed.hasPrefix("holidays") && !trimmed.hasPrefix("- {clock")
                && !trimmed.hasPrefix("escalation") && !trimmed.hasPrefix("hierarchical")
                && !trimmed.hasPrefix("match") && !trimmed.hasPrefix("P")
                && !trimmed.hasPrefix("active") && !trimmed.hasPrefix("fallback")  // optional in a team
                && !trimmed.hasPrefix("objective")  // optional on an agreement
                && !["high:", "medium:", "low:"].contains(where: { trimmed.hasPrefix($0) })  // matrix rows are free
            {
                Issue.record("deleting line \(index + 1) (\(removed)) went unnoticed")
            }
        }
    }
}
