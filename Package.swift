// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "slad",
    products: [
        .executable(name: "slad", targets: ["slad"]),
        .executable(name: "slactl", targets: ["slactl"]),
        .executable(name: "slad-bench", targets: ["slad-bench"]),
        .library(name: "SLACore", targets: ["SLACore"]),
        // For contrib/fuzz: the fuzz targets, driven there by libFuzzer.
        .library(name: "SLAFuzz", targets: ["SLAFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Without its default traits: slad reads no swift-configuration and needs no full Foundation there.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Webhooks (issue 11): HTTP client with redirects off; sendmail and exec children.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2", traits: []),
    ],
    targets: [
        // The pure SLA engine: calendars, agreements, clocks, escalation. No I/O, no Dispatch: time is passed in.
        // It takes the text forms of instants and durations from SLAContract (re-exported).
        .target(name: "SLACore", dependencies: ["SLAContract", "CPrefetch"]),
        // A cache prefetch hint for SLACore (Swift has none).
        .target(name: "CPrefetch"),
        // SQLite's process-wide options, set through its variadic sqlite3_config (Swift cannot call it).
        .target(name: "CSQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The YAML configuration format, parsed into SLACore's validated value types.
        .target(name: "SLAConfig", dependencies: ["SLACore", .product(name: "Yams", package: "Yams")]),
        // The JSON wire formats (events in, timeline records out) and the offline replay driver.
        .target(name: "SLAWire", dependencies: ["SLACore", "SLAJSON"]),
        // Service level reports: the KPIs per period and group, folded from the engine's outcomes.
        .target(name: "SLAReport", dependencies: ["SLACore", "SLAWire", "SLAJSON"]),
        // The durable state: the event log and the timeline in SQLite (GRDB), with group commit.
        .target(
            name: "SLAStore",
            dependencies: ["SLACore", "SLAWire", "CSQLiteTuning", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // JSON values and their codec, with no dependency: the one JSON model of the wire formats.
        .target(name: "SLAJSON"),
        // The wire contract of io.slad.Sla, shared by slad and slactl: the interface description, its
        // types with their JSON mapping, error names, the socket path, the version, and the text forms of
        // instants (RFC 3339) and durations. Pure: no I/O, no Foundation.
        .target(name: "SLAContract", dependencies: ["SLAJSON"], exclude: ["io.slad.Sla.varlink"]),
        // The Varlink protocol over a Unix stream socket (NIO): framing, calls, replies, peer credentials.
        .target(
            name: "SLAVarlink",
            dependencies: [
                "SLAJSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // slad's metrics: their names and labels (the contract), a Prometheus registry that swift-metrics
        // reports into, the values read when scraped (engine gauges, /proc), and the exposition formats.
        .target(
            name: "SLAMetrics",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The optional HTTP listener as a Service, on HummingbirdCore's HTTP/1.1 channel: the addresses it
        // serves can change on reload; what it answers is given to it (the daemon's /metrics and /healthz).
        .target(
            name: "SLAHTTP",
            dependencies: [
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Notification delivery (issue 11): webhooks through async-http-client, e-mail through a sendmail
        // program and exec channels through swift-subprocess (which closes every descriptor above 2 in the
        // child, so NIO's sockets never leak into it), the message texts and the Standard Webhooks signature.
        .target(
            name: "SLANotify",
            dependencies: [
                "SLACore", "SLAJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libsystemd (Debian's libsystemd-dev) as Swift sees it: the one seam to systemd's C API.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // systemd adapters: the journal (native protocol, a swift-log handler, a writer that never
        // blocks its callers), sd_notify with the watchdog, socket activation by name.
        .target(
            name: "SLASystemd",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]
        ),
        // A blocking Varlink client for slactl and scripts' tests: plain sockets, no event loop; and the
        // tables and sentences slactl prints.
        .target(name: "SLAControl", dependencies: ["SLAContract", "SLAJSON", "SLASocketTrust"]),
        // The one rule by which slad and slactl trust the folder of a socket path (no dependency).
        .target(name: "SLASocketTrust"),
        // The daemon: the engine on one Dispatch timer, wired to the store and the control socket;
        // each long-running part a Service of one ServiceGroup.
        .target(
            name: "SLADaemon",
            dependencies: [
                "SLACore", "SLAConfig", "SLAWire", "SLAStore", "SLAJSON", "SLAContract", "SLAVarlink", "SLASystemd",
                "SLAMetrics", "SLAHTTP", "SLASocketTrust", "SLAReport", "SLANotify",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "slad",
            dependencies: [
                "SLACore", "SLAConfig", "SLAWire", "SLAStore", "SLADaemon", "SLASystemd", "SLAContract", "SLAReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "slactl",
            dependencies: [
                "SLAControl", "SLAContract", "SLAJSON", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The fuzz targets (Varlink frames and calls, JSON, events, configuration files): libFuzzer drives them
        // from contrib/fuzz, and SLAFuzzTests replays their saved corpus. Never a dependency of slad or slactl.
        .target(
            name: "SLAFuzz",
            dependencies: [
                "SLAConfig", "SLAJSON", "SLAVarlink", "SLAWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        // What tests share: a manual clock, seeded random numbers, private temporary folders, events as
        // Swift dictionaries.
        // Never a dependency of slad or slactl.
        .target(name: "SLATestKit", dependencies: ["SLACore", "SLAConfig", "SLADaemon", "SLAWire", "SLAJSON"]),
        .executableTarget(
            name: "slad-bench",
            dependencies: [
                "SLACore", "SLAConfig", "SLAWire", "SLAStore", "SLAControl", "SLAContract", "SLAJSON", "SLATestKit",
                "SLAReport", "SLADaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SLACoreTests", dependencies: ["SLACore", "SLATestKit"]),
        .testTarget(name: "SLAConfigTests", dependencies: ["SLAConfig", "SLACore", "SLATestKit"]),
        .testTarget(name: "SLAWireTests", dependencies: ["SLAWire", "SLAConfig", "SLACore", "SLATestKit"]),
        .testTarget(
            name: "SLAStoreTests",
            dependencies: ["SLAStore", "SLACore", "SLAWire", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "SLAJSONTests", dependencies: ["SLAJSON"]),
        .testTarget(name: "SLAFuzzTests", dependencies: ["SLAFuzz"]),
        .testTarget(name: "SLAReportTests", dependencies: ["SLAReport", "SLAConfig", "SLACore", "SLATestKit"]),
        .testTarget(name: "SLANotifyTests", dependencies: ["SLANotify", "SLACore", "SLAJSON"]),
        .testTarget(
            name: "SLAVarlinkTests",
            dependencies: [
                "SLAJSON", "SLAVarlink",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SLADaemonTests",
            dependencies: [
                "SLADaemon", "SLACore", "SLAConfig", "SLAWire", "SLAStore", "SLAJSON", "SLAVarlink", "SLASystemd",
                "SLATestKit", "SLAReport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "SLAControlTests", dependencies: ["SLAControl", "SLAContract", "SLAJSON", "SLASocketTrust"]),
        // The contract against its description, and against the daemon's event decoder (SLAWire).
        .testTarget(name: "SLAContractTests", dependencies: ["SLAContract", "SLAJSON", "SLAWire", "SLACore"]),
        .testTarget(
            name: "SLAHTTPTests",
            dependencies: [
                "SLAHTTP", "SLAMetrics",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "SLASystemdTests",
            dependencies: ["SLASystemd", .product(name: "Logging", package: "swift-log")]
        ),
        // A workaround for Foundation's Process.run() over-reading a directory buffer (see its source): the
        // test process only.
        .target(name: "CSpawnWorkaround"),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["slad", "slactl", "SLAControl", "SLAContract", "SLAJSON", "CSpawnWorkaround"]),
    ],
    swiftLanguageModes: [.v6]
)
