import ArgumentParser
import Foundation
import SLAControl
import SLAJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `slactl submit events.jsonl`: bulk import in the replay input format.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Send an events file (JSON Lines, the replay input format) to slad in batches.",
        discussion: """
            Each batch is one io.slad.Sla.Submit, applied whole or not at all. When slad refuses an event, \
            slactl reports FILE:LINE and why, makes sure every event before that line is applied and none \
            after it, says how many were accepted, and stops with exit status 1: fix the line and go on \
            from it (tail -n +LINE FILE | slactl submit -). A line that is not a JSON object stops the \
            import the same way. With --json the result is one line: {"accepted":N}, plus "line" and \
            "message" when it stopped early.
            """
    )

    @Argument(help: "The events file, or - for standard input.")
    var file: String

    @Option(help: ArgumentHelp("Events per Submit call.", valueName: "n"))
    var batchSize = 1000

    @OptionGroup var options: GlobalOptions

    func validate() throws {
        guard (1...100_000).contains(batchSize) else {
            throw ValidationError("--batch-size must be from 1 to 100000, not \(batchSize).")
        }
    }

    func run() throws {
        let name = file == "-" ? "<stdin>" : file
        let descriptor = file == "-" ? STDIN_FILENO : open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            Output.error("cannot read \(file): \(String(cString: strerror(errno)))")
            throw ExitCode(ControlExitStatus.noInput)
        }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }

        try Invocation.run(options) { control, output in
            let reader = EventLineReader(fileDescriptor: descriptor)
            let outcome = EventImport(batchSize: batchSize).run(reader) { batch in
                try control.submit(objects: batch).value.accepted
            }
            try report(outcome, name: name, output: output)
        }
    }

    private func report(_ outcome: EventImport.Outcome, name: String, output: Output) throws {
        var result: [String: JSONValue] = ["accepted": .int(Int64(outcome.accepted))]
        let continueHint: (Int) -> String = { line in
            file == "-"
                ? "fix line \(line) of the input and send it again from there"
                : "fix the line and go on with: tail -n +\(line) \(file) | slactl submit -"
        }
        switch outcome.stop {
        case nil:
            output.line(options.json ? JSONValue.object(result).encodedString() : "submitted \(outcome.accepted) event(s) from \(TerminalText.escaped(name))")
        case .refused(let line, let message), .malformed(let line, let message):
            result["line"] = .int(Int64(line))
            result["message"] = .string(message)
            let why: String
            if case .refused = outcome.stop { why = "slad refused the event: \(message)" } else { why = message }
            Output.error("\(name):\(line): \(why)")
            Output.error(applied(outcome.accepted, before: line) + continueHint(line))
            if options.json { output.line(JSONValue.object(result).encodedString()) }
            throw ExitCode(ControlExitStatus.refused)
        case .unreadable(let line, let code):
            result["line"] = .int(Int64(line))
            result["message"] = .string(String(cString: strerror(code)))
            Output.error("cannot read \(name) at line \(line): \(String(cString: strerror(code)))")
            Output.error(applied(outcome.accepted, before: line).dropLast(2) + ".")
            if options.json { output.line(JSONValue.object(result).encodedString()) }
            throw ExitCode(ControlExitStatus.noInput)
        case .failed(let line, let error):
            result["line"] = .int(Int64(line))
            result["message"] = .string(error.description)
            Output.error(error.description)
            if case .remote = error {
                Output.error(applied(outcome.accepted, before: line) + continueHint(line))
            } else {
                Output.error(
                    "\(outcome.accepted) event(s) before line \(line) were applied; the batch from line \(line) on "
                        + "may or may not have been: check with `slactl show` before sending it again")
            }
            if options.json { output.line(JSONValue.object(result).encodedString()) }
            throw ExitCode(error.exitStatus)
        }
    }

    private func applied(_ accepted: Int, before line: Int) -> String {
        "\(accepted) event(s) before line \(line) were applied, none from it on; "
    }
}
