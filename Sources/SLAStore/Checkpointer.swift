import Foundation
import GRDB

/// Copies the write-ahead log back into the database file from its own connection and thread.
///
/// SQLite's automatic checkpoint runs on the connection that commits, inside the commit that crosses
/// the threshold: that commit (and every Submit waiting on it) then waits while tens of megabytes are
/// copied and synced. A passive checkpoint from another connection copies what no reader still needs
/// while the writer goes on committing, so replies do not stall behind it. The writer keeps a much
/// higher automatic threshold only as a backstop, should this thread fall behind.
final class Checkpointer: Sendable {
    private final class Control: @unchecked Sendable {
        // Every property is read and written only while `condition` is locked.
        let condition = NSCondition()
        var stopping = false
        var exited = false
    }

    private let control = Control()

    /// Opens a second connection to `path` and starts the thread, which looks at the log's size every
    /// `interval` and checkpoints once it is `threshold` bytes or more.
    init(path: String, threshold: Int, interval: Duration = .milliseconds(100)) throws {
        var configuration = Configuration()
        configuration.label = "slad.state.checkpoint"
        // A checkpoint never waits for the writer; it gives up on what it cannot take and comes back.
        configuration.busyMode = .immediateError
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        let control = self.control
        let walPath = path + "-wal"
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let thread = Thread {
            while true {
                let stop = control.condition.withLock {
                    if !control.stopping { _ = control.condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
                    return control.stopping
                }
                if stop { break }
                var status = stat()
                guard stat(walPath, &status) == 0, Int(status.st_size) >= threshold else { continue }
                // A failure (the file busy, say) is retried at the next look; the writer's own automatic
                // checkpoint stays as the last resort.
                _ = try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
            }
            try? connection.close()
            control.condition.withLock {
                control.exited = true
                control.condition.broadcast()
            }
        }
        thread.name = "slad.store.checkpoint"
        thread.start()
    }

    /// Stops the thread and closes its connection; returns once both are done.
    func stop() {
        control.condition.withLock {
            control.stopping = true
            control.condition.broadcast()
            while !control.exited { control.condition.wait() }
        }
    }
}
