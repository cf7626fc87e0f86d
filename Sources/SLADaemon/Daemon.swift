import Dispatch
import Foundation
import Logging
import SLAVarlink

/// How `slad` runs: where its configuration, state and socket are, and who may use the socket.
public struct DaemonOptions: Sendable {
    public var configPath: String
    public var stateDirectory: String
    public var socketPath: String
    /// Groups whose members may submit events and reload (besides root and slad's own user).
    public var writerGroups: [String]
    /// Groups whose members may query and watch.
    public var readerGroups: [String]
    /// Group the socket file is given when slad binds it itself (systemd's SocketGroup= otherwise).
    public var socketGroup: String?

    public init(
        configPath: String, stateDirectory: String, socketPath: String, writerGroups: [String],
        readerGroups: [String], socketGroup: String?
    ) {
        self.configPath = configPath
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
        self.writerGroups = writerGroups
        self.readerGroups = readerGroups
        self.socketGroup = socketGroup
    }
}

/// The running daemon: recovers, arms the timer, serves the control socket, reloads on SIGHUP and
/// stops cleanly on SIGTERM or SIGINT.
public enum Daemon {
    /// Runs until SIGTERM/SIGINT. Throws `ConfigErrors` for a bad configuration, other errors for
    /// state or socket trouble, before anything is served.
    public static func run(_ options: DaemonOptions, logger: Logger) async throws {
        logger.info("starting", metadata: ["config": "\(options.configPath)", "state": "\(options.stateDirectory)"])
        let feed = RecordFeed()
        let host = try EngineHost(
            configPath: options.configPath, stateDirectory: options.stateDirectory, feed: feed, logger: logger)
        let writers = AccessPolicy.groupIDs(options.writerGroups)
        let readers = AccessPolicy.groupIDs(options.readerGroups)
        for missing in writers.missing + readers.missing {
            logger.notice("group \(missing) does not exist; its members get no access")
        }
        let access = AccessPolicy(writerGroups: writers.ids, readerGroups: readers.ids)
        let service = ControlService(host: host, feed: feed, access: access, logger: logger)
        let server = VarlinkServer(service: service, logger: logger)
        if let fd = SocketActivation.takeListeningDescriptor() {
            try await server.adopt(listeningDescriptor: fd)
            logger.info("serving on the socket systemd passed (fd \(fd))")
        } else {
            let directory = (options.socketPath as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            try await server.bind(path: options.socketPath, mode: 0o660)
            if let name = options.socketGroup {
                guard let gid = AccessPolicy.groupIDs([name]).ids.first, chown(options.socketPath, uid_t.max, gid) == 0
                else {
                    throw RecoveryError(description: "cannot give \(options.socketPath) to group \(name)")
                }
            }
            logger.info("serving on \(options.socketPath)")
        }
        host.start()
        let signals = SignalHandlers(
            reload: {
                Task {
                    switch await host.reload() {
                    case .applied(let summary): logger.notice("configuration reloaded on SIGHUP: \(summary)")
                    case .unchanged(let summary): logger.info("SIGHUP: configuration unchanged: \(summary)")
                    case .refused(let errors):
                        logger.error("reload refused; the running configuration stays:\n\(errors.joined(separator: "\n"))")
                    }
                }
            },
            stop: { Task { await server.shutdown() } })
        let status = await host.status()
        logger.notice("ready: \(status.openTickets) open tickets, \(status.armedTimers) armed")
        try await server.run()
        signals.cancel()
        logger.notice("stopping: committing what was accepted")
        host.stop()
        logger.notice("stopped")
    }
}

/// SIGHUP reloads; SIGTERM and SIGINT stop. Dispatch sources, so the handlers run as ordinary code.
///
/// `@unchecked Sendable`: the sources are set once in `init` and only cancelled afterwards, which
/// Dispatch allows from any thread.
final class SignalHandlers: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]

    init(reload: @escaping @Sendable () -> Void, stop: @escaping @Sendable () -> Void) {
        var sources: [DispatchSourceSignal] = []
        for (number, action) in [(SIGHUP, reload), (SIGTERM, stop), (SIGINT, stop)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: action)
            source.activate()
            sources.append(source)
        }
        self.sources = sources
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// systemd's socket activation protocol (sd_listen_fds(3)): the listening socket arrives as fd 3.
enum SocketActivation {
    /// The passed listening socket, if systemd passed one to this process; the variables are then
    /// removed so that children do not take it for theirs.
    static func takeListeningDescriptor() -> Int32? {
        let environment = ProcessInfo.processInfo.environment
        guard let pid = environment["LISTEN_PID"].flatMap(Int32.init), pid == getpid(),
            let count = environment["LISTEN_FDS"].flatMap(Int32.init), count >= 1
        else { return nil }
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        return 3
    }
}
