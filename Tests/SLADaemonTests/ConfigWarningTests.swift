import Foundation
import Logging
import SLADaemon
import SLATestKit
import Synchronization
import Testing

/// Log lines kept for a test to read.
final class CapturedLog: Sendable {
    let lines = Mutex<[(Logger.Level, String)]>([])

    var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(log: self) }
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.lines.withLock { $0.append((event.level, "\(event.message)")) }
        }
    }
}

@Suite("Configuration warnings at start and reload")
struct ConfigWarningTests {
    @Test("an SLA shorter than the lines' OLAs added up starts and reloads, with a warning logged each time")
    func olaFitWarnsAtStartAndReload() async throws {
        let tight = try String(contentsOfFile: exampleConfig, encoding: .utf8).replacingOccurrences(
            of: "P1: {response: 15m, resolution: 4h}", with: "P1: {response: 15m, resolution: 20m}")
        let fixture = try HostFixture(configText: tight)
        let log = CapturedLog()
        let host = try EngineHost(
            configPath: fixture.configPath, stateDirectory: fixture.stateDirectory, zones: fixture.zones,
            clock: fixture.clock, logger: log.logger)
        func warnings() -> [String] {
            log.lines.withLock { $0.filter { $0.0 == .warning && $0.1.contains("support lines may hold") }.map(\.1) }
        }
        #expect(warnings().count == 1)
        #expect(warnings().first?.hasPrefix(fixture.configPath + ":64:") == true)
        try tight.replacingOccurrences(of: "P2: {response: 30m", with: "P2: {response: 31m")
            .write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        guard case .applied = await host.reload() else {
            Issue.record("a file with warnings only should apply")
            return
        }
        #expect(warnings().count == 2)
        host.stop()
    }
}
