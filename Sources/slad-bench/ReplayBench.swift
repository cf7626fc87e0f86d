import Foundation

/// `slad replay` as a user runs it: the release slad beside this binary, as its own process, on the
/// replay mix in a file, its timeline written to /dev/null. Startup, the configuration, reading the
/// file and writing the output are all inside the time.
enum ReplayBench {
    static func wholeProcess(input: Data, events: Int, config: String, repetitions: Int) throws -> [Figure] {
        let slad = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("slad")
        guard FileManager.default.isExecutableFile(atPath: slad.path) else {
            let note = "slad-bench: no slad beside slad-bench; the whole-process replay is skipped\n"
            FileHandle.standardError.write(Data(note.utf8))
            return []
        }
        let file = NSTemporaryDirectory() + "slad-bench-replay-\(getpid()).jsonl"
        try input.write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        var rates: [Double] = []
        for _ in 0..<max(1, repetitions) {
            let process = Process()
            process.executableURL = slad
            process.arguments = ["replay", "--config", config, file]
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            let begin = monotonic()
            try process.run()
            process.waitUntilExit()
            let seconds = monotonic() - begin
            guard process.terminationStatus == 0 else {
                throw BenchError("slad replay exited with \(process.terminationStatus)")
            }
            rates.append(Double(events) / seconds)
        }
        return [
            Figure(
                name: "slad replay, whole process (file in, /dev/null out)", value: median(rates), unit: "events/s",
                target: 400_000)
        ]
    }
}
