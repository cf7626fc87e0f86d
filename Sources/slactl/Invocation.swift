import ArgumentParser
import Foundation
import SLAControl

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
            let reply = try control.submit(event)
            output.reply(reply) { _ in event.summary }
        }
    }
}

/// Standard output and error. Written with one `write` per call: `print` buffers, and `watch` must
/// show each record as it arrives, also in a pipe.
struct Output {
    let json: Bool

    /// The reply as one line of JSON with --json, else what `people` makes of it.
    func reply(_ parameters: [String: Any], people: ([String: Any]) -> String) {
        line(json ? JSONText.line(parameters) : people(parameters))
    }

    /// Writes `text` and a newline to standard output.
    func line(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
    }

    /// Writes `slactl: sentence` to standard error.
    static func error(_ sentence: String) {
        try? FileHandle.standardError.write(contentsOf: Data("slactl: \(sentence)\n".utf8))
    }
}
