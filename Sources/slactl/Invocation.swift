import ArgumentParser
import Foundation
import SLAContract
import SLAControl
import SLAJSON

/// What every command's `run()` does around its call: connect, print, turn errors into sentences and exit statuses.
enum Invocation {
    /// Connects to slad and runs `body`; a `ControlError` is printed on standard error and ends the
    /// process with its exit status.
    static func run(_ options: GlobalOptions, _ body: (SlaControl, Output) throws -> Void) throws {
        do {
            let control = try SlaControl(socketPath: options.socketPath)
            try body(control, Output(json: options.json))
        } catch let error as ControlError {
            Output.error(error.description)
            throw ExitCode(error.exitStatus)
        }
    }

    /// Submits one event and says what happened (with --json: the reply, `{"accepted":1}`).
    static func submit(_ event: ControlEvent, _ options: GlobalOptions) throws {
        try run(options) { control, output in
            output.reply(try control.submit(event)) { _ in event.summary }
        }
    }
}

/// Standard output and error. Written with one `write` per call: `print` buffers, and `watch` must
/// show each record as it arrives, also in a pipe.
struct Output {
    let json: Bool

    /// The reply's parameters as one line of JSON with --json (keys sorted, exactly what slad sent),
    /// else what `people` makes of the typed reply.
    func reply<Value>(_ reply: ControlReply<Value>, people: (Value) -> String) {
        if json {
            line(JSONValue.object(reply.parameters).encodedString())
        } else {
            text(people(reply.value))
        }
    }

    /// Writes text for people and a newline to standard output; control characters that a formatter
    /// let through are escaped here, the newlines between lines kept.
    func text(_ text: String) {
        line(TerminalText.escapedLines(text))
    }

    /// Writes `text` and a newline to standard output as it is (JSON, or text already made safe).
    func line(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
    }

    /// Writes `slactl: sentence` to standard error, its control characters escaped (newlines kept).
    static func error(_ sentence: String) {
        try? FileHandle.standardError.write(contentsOf: Data("slactl: \(TerminalText.escapedLines(sentence))\n".utf8))
    }
}
