import Testing

@testable import SLACore

/// The test configuration with gold's P1 resolution target (minutes) and pause reasons changed.
private func goldChanged(resolution minutes: Int64, pauseOn: [String] = ["waiting-customer"]) -> Configuration {
    var configuration = testConfiguration()
    configuration.agreements[0].targets[0]?.resolution = Target(seconds: minutes * 60, calendar: 0)
    configuration.agreements[0].pauseOn = pauseOn
    return configuration
}

extension Desk {
    mutating func reload(_ minute: Int64, _ configuration: Configuration) throws(ReconfigurationError) {
        try machine.reconfigure(configuration, at: at(minute), records: &records)
    }

    /// The described records of the resolution clock, and forgets all records.
    mutating func takeResolution() -> [String] { take().filter { $0.contains("resolution") } }
}

@Suite("Reconfiguration of running clocks")
struct ReconfigurationTests {
    @Test("a longer target moves the due instant and the thresholds, keeping the time counted")
    func longerTarget() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        try desk.send(5, "INC-1", .respond)
        desk.run(to: 60)
        _ = desk.take()
        try desk.reload(60, goldChanged(resolution: 480))
        desk.run(to: 500)
        #expect(
            desk.takeResolution() == [
                "60 INC-1 due resolution gold 480",
                "240 INC-1 warning resolution gold 50",
                "360 INC-1 warning resolution gold 75",
                "432 INC-1 warning resolution gold 90",
                "432 INC-1 inform duty-manager resolution 90",
                "480 INC-1 warning resolution gold 100",
                "480 INC-1 breach resolution gold",
                "480 INC-1 inform service-owner resolution 100",
            ].filter { !$0.contains("warning resolution gold 100") })
        let counted = try #require(desk.snapshot("INC-1", 500)).clocks[1].counted
        #expect(counted == 500 * 60)
    }

    @Test("a shorter target fires the thresholds it puts in the past at once, each once")
    func shorterTarget() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        desk.run(to: 60)
        _ = desk.take()
        try desk.reload(60, goldChanged(resolution: 100))
        desk.run(to: 200)
        #expect(
            desk.takeResolution() == [
                "60 INC-1 due resolution gold 100",
                "60 INC-1 warning resolution gold 50",
                "75 INC-1 warning resolution gold 75",
                "90 INC-1 warning resolution gold 90",
                "90 INC-1 inform duty-manager resolution 90",
                "100 INC-1 breach resolution gold",
                "100 INC-1 inform service-owner resolution 100",
                "150 INC-1 inform it-manager resolution 150",
            ])
    }

    @Test("thresholds that fired before the reload do not fire again")
    func firedStayFired() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        desk.run(to: 130)
        #expect(desk.takeResolution().contains("120 INC-1 warning resolution gold 50"))
        try desk.reload(130, goldChanged(resolution: 480))
        desk.run(to: 400)
        #expect(
            desk.takeResolution() == [
                "130 INC-1 due resolution gold 480",
                "360 INC-1 warning resolution gold 75",
            ])
    }

    @Test("an unchanged configuration writes no record and keeps every deadline")
    func unchanged() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        desk.run(to: 1)
        _ = desk.take()
        try desk.reload(1, testConfiguration())
        #expect(desk.take().isEmpty)
        desk.run(to: 15)
        #expect(desk.take().contains("15 INC-1 breach response gold"))
    }

    @Test("a pause reason the agreement no longer honours restarts the paused clocks at the reload")
    func pauseNoLongerHonoured() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        try desk.send(10, "INC-1", .pause(reason: "waiting-customer"))
        #expect(desk.snapshot("INC-1", 15)?.clocks[1].state == .paused)
        _ = desk.take()
        try desk.reload(20, goldChanged(resolution: 240, pauseOn: []))
        #expect(desk.takeResolution() == ["20 INC-1 due resolution gold 250"])
        #expect(desk.snapshot("INC-1", 30)?.clocks[1].state == .running)
        let counted = try #require(desk.snapshot("INC-1", 30)).clocks[1].counted
        #expect(counted == 20 * 60)
    }

    @Test("a configuration without an SLA or a priority that open tickets use is refused and changes nothing")
    func refused() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        desk.run(to: 10)
        let before = desk.snapshot("INC-1", 10)
        var withoutGold = testConfiguration()
        withoutGold.agreements[0].name = "platinum"
        var withoutP1 = testConfiguration()
        withoutP1.priorities.levels[0] = "P0"
        for configuration in [withoutGold, withoutP1] {
            #expect(throws: ReconfigurationError.self) { try desk.reload(10, configuration) }
        }
        do {
            try desk.reload(10, withoutGold)
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems[0].contains("\"gold\"") && error.problems[0].contains("INC-1"))
        }
        #expect(desk.snapshot("INC-1", 10) == before)
        desk.run(to: 15)
        #expect(desk.take().contains("15 INC-1 breach response gold"))
    }
}
