import Foundation
import SLAContract
import SLAControl
import SLAJSON
import Testing

/// A fresh formatter per use: InstantFormat holds Foundation formatters, which are not Sendable.
var utc: InstantFormat { InstantFormat(timeZone: TimeZone(identifier: "UTC")!) }

@Suite("Durations, instants and tables")
struct FormattingTests {
    @Test(
        "service durations: seconds, minutes and seconds, then hours and minutes",
        arguments: [
            (0, "0s"), (45, "45s"), (59, "59s"), (60, "1m00s"), (427, "7m07s"), (3599, "59m59s"),
            (3600, "1h00m"), (3900, "1h05m"), (3959, "1h05m"), (93_600, "26h00m"), (-3900, "-1h05m"), (-45, "-45s"),
        ])
    func serviceDurations(_ seconds: Int, _ text: String) {
        #expect(ServiceDuration.forPeople(seconds) == text)
    }

    @Test(
        "wall-clock spans use days from one day on",
        arguments: [(3900, "1h05m"), (86_400, "1d00h00m"), (183_840, "2d03h04m"), (-90_000, "-1d01h00m")])
    func spans(_ seconds: Int, _ text: String) {
        #expect(ServiceDuration.span(seconds) == text)
    }

    @Test(
        "durations parse in the configuration's syntax",
        arguments: [
            ("45s", 45), ("15m", 900), ("4h", 14_400), ("1h30m", 5400), ("2h0m30s", 7230), ("1h05m", 3900),
        ])
    func parses(_ text: String, _ seconds: Int) {
        #expect((try? ServiceDuration.parse(text).get()) == Int64(seconds))
    }

    @Test(
        "malformed durations are refused", arguments: ["", "1d", "h", "30m1h", "1h1h", "1.5h", "15", "-1h", "1h 30m"])
    func refuses(_ text: String) {
        #expect((try? ServiceDuration.parse(text).get()) == nil)
    }

    @Test("below an hour, formatting then parsing gives the seconds back (a duration is positive)")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let seconds = Int.random(in: 1..<3600, using: &generator)
            #expect((try? ServiceDuration.parse(ServiceDuration.forPeople(seconds)).get()) == Int64(seconds))
        }
    }

    @Test("instants are shown in the chosen zone with their offset; other text stays as it is")
    func instants() {
        #expect(utc.format("2026-03-02T09:00:00+01:00") == "2026-03-02 08:00:00 +00:00")
        let berlin = InstantFormat(timeZone: TimeZone(identifier: "Europe/Berlin")!)
        #expect(berlin.format("2026-03-02T08:00:00Z") == "2026-03-02 09:00:00 +01:00")
        #expect(berlin.format("2026-07-02T08:00:00.250Z") == "2026-07-02 10:00:00 +02:00")
        #expect(utc.format("soon") == "soon")
        #expect(InstantFormat.isTimestamp("2026-03-02T09:00:00+01:00"))
        #expect(!InstantFormat.isTimestamp("2026-03-02 09:00"))
        #expect(!InstantFormat.isTimestamp("2026-03-02T09:00:00"), "an event's instant needs an offset or Z")
    }

    @Test("tables: header, columns two spaces apart, right-aligned numbers, no trailing spaces")
    func table() {
        var table = TextTable([.init("CLOCK"), .init("REMAINING", .right), .init("DUE")])
        table.append(["response", "3h48m", "-"])
        table.append(["line 2", "-5m07s"])
        table.append(["resolution", "12m00s", "2026-03-02 15:40:00 +00:00", "dropped"])
        #expect(
            table.render() == """
                CLOCK       REMAINING  DUE
                response        3h48m  -
                line 2         -5m07s
                resolution     12m00s  2026-03-02 15:40:00 +00:00
                """)
        #expect(TextTable([.init("A"), .init("B")]).render() == "A  B")
    }

    @Test("JSON output is one line with sorted keys and plain slashes")
    func jsonLine() {
        #expect((["b": 1, "a": ["x/y", true]] as JSONValue).encodedString() == #"{"a":["x/y",true],"b":1}"#)
    }

    @Test("booleans and numbers read from JSON are told apart")
    func jsonFields() throws {
        let object = try #require(
            try JSONValue.decode(#"{"t":true,"one":1,"half":0.5,"big":9007199254740993}"#).object)
        let read = FieldReader(object)
        #expect(try read.optionalBool("t") == true)
        #expect(throws: ContractError.self, "1 is not true") { try read.optionalBool("one") }
        #expect(throws: ContractError.self, "true is not 1") { try read.optionalInt("t") }
        #expect(try read.optionalInt("one") == 1)
        #expect(throws: ContractError.self) { try read.optionalInt("half") }
        #expect(try read.optionalInt("big") == 9_007_199_254_740_993)
    }
}

@Suite("Default socket path")
struct DefaultPathsTests {
    @Test("$SLAD_SOCKET wins, for root too")
    func explicit() {
        #expect(
            DefaultPaths.socket(
                environment: ["SLAD_SOCKET": "/srv/s", "XDG_RUNTIME_DIR": "/run/user/1000"], userID: 1000)
                == "/srv/s")
        #expect(DefaultPaths.socket(environment: ["SLAD_SOCKET": "/srv/s"], userID: 0) == "/srv/s")
    }

    @Test("root uses systemd's runtime directory")
    func root() {
        #expect(
            DefaultPaths.socket(environment: ["XDG_RUNTIME_DIR": "/run/user/0"], userID: 0) == "/run/slad/io.slad.Sla")
    }

    @Test("other users: $XDG_RUNTIME_DIR/slad, else /tmp/slad-UID; empty variables count as unset")
    func user() {
        #expect(
            DefaultPaths.socket(environment: ["XDG_RUNTIME_DIR": "/run/user/1000/"], userID: 1000)
                == "/run/user/1000/slad/io.slad.Sla")
        #expect(DefaultPaths.socket(environment: [:], userID: 1000) == "/tmp/slad-1000/io.slad.Sla")
        #expect(
            DefaultPaths.socket(environment: ["SLAD_SOCKET": "", "XDG_RUNTIME_DIR": ""], userID: 42)
                == "/tmp/slad-42/io.slad.Sla")
    }
}

@Suite("Errors for people and exit statuses")
struct ErrorTextTests {
    @Test(
        "each kind of failure has its own exit status",
        arguments: [
            (ControlError.unreachable(path: "/run/slad/io.slad.Sla", errno: ENOENT), Int32(69)),
            (.unreachable(path: "/run/slad/io.slad.Sla", errno: ECONNREFUSED), 69),
            (.unreachable(path: "/run/slad/io.slad.Sla", errno: EACCES), 4),
            (.remote(name: "io.slad.Sla.UnknownTicket", parameters: ["ticket": "INC-1"]), 3),
            (.remote(name: "org.varlink.service.PermissionDenied", parameters: [:]), 4),
            (.remote(name: "io.slad.Sla.InvalidEvent", parameters: ["index": 0, "message": "no"]), 1),
            (.remote(name: "io.slad.Sla.InvalidConfig", parameters: ["errors": ["a"]]), 1),
            (.remote(name: "org.varlink.service.MethodNotFound", parameters: ["method": "x"]), 1),
            (.protocolViolation("garbage"), 76),
        ] as [(ControlError, Int32)])
    func exitStatuses(_ error: ControlError, _ status: Int32) {
        #expect(error.exitStatus == status)
    }

    @Test("messages say what to do")
    func messages() {
        #expect(
            ControlError.unreachable(path: "/run/slad/io.slad.Sla", errno: ENOENT).description
                == "cannot reach slad at /run/slad/io.slad.Sla: No such file or directory; is slad running? (--socket PATH)"
        )
        #expect(
            ControlError.remote(name: "io.slad.Sla.UnknownTicket", parameters: ["ticket": "INC-7"]).description
                == "no open ticket INC-7; `slactl list` shows the open ones")
        #expect(
            ControlError.remote(
                name: "io.slad.Sla.InvalidEvent", parameters: ["index": 0, "message": "unknown priority P9"]
            )
            .description == "slad refused the event: unknown priority P9")
        let config = ControlError.remote(
            name: "io.slad.Sla.InvalidConfig",
            parameters: ["errors": ["slad.yaml:3:5: unknown calendar \"offce\"", "slad.yaml:9:1: x"]])
        #expect(
            config.description == """
                slad refused the configuration file; fix these and try again:
                  slad.yaml:3:5: unknown calendar "offce"
                  slad.yaml:9:1: x
                """)
        #expect(ControlError.unreachable(path: "/s", errno: EACCES).description.contains("permission denied"))
        #expect(
            ControlError.remote(name: "io.slad.Sla.Other", parameters: ["why": 1]).description
                == #"slad answered with the error io.slad.Sla.Other {"why":1}"#)
    }
}

@Suite("Events as slactl builds them")
struct ControlEventTests {
    @Test("an event has the interface's Event keys and leaves out what is not set")
    func object() {
        let open = ControlEvent(
            ticket: "INC-1", kind: .open, impact: "high", urgency: "low", service: "mail", line: 2)
        #expect(
            open.value.encodedString()
                == #"{"event":"open","impact":"high","line":2,"service":"mail","ticket":"INC-1","urgency":"low"}"#)
        #expect(
            ControlEvent(ticket: "INC-1", kind: .resolve).value.encodedString()
                == #"{"event":"resolve","ticket":"INC-1"}"#)
    }

    @Test("the sentence for people names what happened")
    func summary() {
        #expect(ControlEvent(ticket: "INC-1", kind: .open, priority: "P2").summary == "INC-1 opened (P2)")
        #expect(ControlEvent(ticket: "INC-1", kind: .assign, line: 3).summary == "INC-1 assigned to line 3")
        #expect(
            ControlEvent(ticket: "INC-1", kind: .reprioritize, impact: "high", urgency: "high").summary
                == "INC-1 reprioritized (impact high, urgency high)")
        #expect(
            ControlEvent(ticket: "INC-1", kind: .pause, at: "2026-03-02T09:00:00Z", reason: "waiting-customer").summary
                == "INC-1 paused (waiting-customer) at 2026-03-02T09:00:00Z")
    }
}
