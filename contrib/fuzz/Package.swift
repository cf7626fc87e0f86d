// swift-tools-version:6.2
// The libFuzzer driver for slad's fuzz targets (see README.md here). Built on its own, with the sanitizers:
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -use-ld=lld
import PackageDescription

let package = Package(
    name: "slad-fuzz",
    dependencies: [.package(name: "slad", path: "../..")],
    targets: [
        // libFuzzer's driver entry: SwiftPM gives an executable its own main, which hands over to libFuzzer.
        .target(name: "CLibFuzzer"),
        .executableTarget(
            name: "slad-fuzz", dependencies: ["CLibFuzzer", .product(name: "SLAFuzz", package: "slad")])
    ]
)
