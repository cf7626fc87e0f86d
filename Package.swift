// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "slad",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "slad", targets: ["slad"]),
        .executable(name: "slactl", targets: ["slactl"]),
        .executable(name: "slad-bench", targets: ["slad-bench"]),
        .library(name: "SLACore", targets: ["SLACore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The pure SLA engine: calendars, agreements, clocks, escalation. No I/O, no Dispatch: time is passed in.
        .target(name: "SLACore"),
        // The YAML configuration format, parsed into SLACore's validated value types.
        .target(name: "SLAConfig", dependencies: ["SLACore", .product(name: "Yams", package: "Yams")]),
        // The JSON wire formats (events in, timeline records out) and the offline replay driver.
        .target(name: "SLAWire", dependencies: ["SLACore"]),
        .executableTarget(
            name: "slad",
            dependencies: [
                "SLACore", "SLAConfig", "SLAWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "slactl",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "slad-bench",
            dependencies: [
                "SLACore", "SLAConfig", "SLAWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SLACoreTests", dependencies: ["SLACore"]),
        .testTarget(name: "SLAConfigTests", dependencies: ["SLAConfig", "SLACore"]),
        .testTarget(name: "SLAWireTests", dependencies: ["SLAWire", "SLAConfig", "SLACore"]),
        .testTarget(name: "EndToEndTests", dependencies: ["slad", "slactl"]),
    ],
    swiftLanguageModes: [.v6]
)
