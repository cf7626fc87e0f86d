import ArgumentParser
import SLAContract
import SLAControl

/// `slactl`: the control CLI of slad. Each subcommand is one call on slad's Varlink socket.
///
/// `ParsableCommand` rather than `AsyncParsableCommand`: the client blocks on its socket by design,
/// and blocking inside an async `run()` would hold a thread of the cooperative pool for nothing.
@main
struct Slactl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slactl",
        abstract: "Control slad: feed ticket events, ask what is about to breach.",
        discussion: """
            Each command is one call on slad's control socket (Varlink interface io.slad.Sla). The socket is \
            --socket PATH, else $SLAD_SOCKET, else /run/slad/io.slad.Sla when run as root, else \
            $XDG_RUNTIME_DIR/slad/io.slad.Sla (/tmp/slad-$UID/io.slad.Sla without XDG_RUNTIME_DIR).

            Output is tables and sentences for people. With --json, a command prints slad's reply (its \
            parameters) as one line of JSON, and watch prints one timeline record per line (JSON Lines); pipe \
            through `jq .` to read it indented.

            Shell completion comes from the parser (bash, zsh or fish):
              slactl --generate-completion-script bash > /etc/bash_completion.d/slactl

            Exit status:
              0   done
              1   refused by slad (InvalidEvent, InvalidConfig, another Varlink
                  error), or a submit line that is not a JSON object
              3   not found: the ticket is not open (io.slad.Sla.UnknownTicket), or
                  no such team or override (UnknownTeam, UnknownOverride)
              4   permission denied (org.varlink.service.PermissionDenied, or
                  the socket's file permissions)
              64  bad command-line usage
              66  submit: the events file cannot be read
              69  slad unreachable: not running, or a wrong --socket
              76  protocol error: slad's reply made no sense or broke off
            """,
        version: SladVersion.string,
        groupedSubcommands: [
            CommandGroup(
                name: "Ticket events (one io.slad.Sla.Submit each)",
                subcommands: [
                    OpenCommand.self, RespondCommand.self, AssignCommand.self, PauseCommand.self,
                    ResumeCommand.self, ReprioritizeCommand.self, ResolveCommand.self, ReopenCommand.self,
                    CloseCommand.self, SubmitCommand.self,
                ]),
            CommandGroup(
                name: "Tickets and clocks",
                subcommands: [
                    ShowCommand.self, ListCommand.self, BreachesCommand.self, AtRiskCommand.self, WatchCommand.self,
                ]),
            CommandGroup(
                name: "The daemon",
                subcommands: [
                    StatusCommand.self, ReloadCommand.self, CheckConfigCommand.self, BackupCommand.self,
                    ReportCommand.self,
                ]),
            CommandGroup(name: "On call", subcommands: [OnCallCommand.self, AckCommand.self, NotificationsCommand.self]),
        ]
    )

    /// Runs the command line, global options before the subcommand included (``GlobalArguments``).
    static func main() {
        let commands = configuration.subcommands + configuration.groupedSubcommands.flatMap(\.subcommands)
        let names = Set(commands.map { $0._commandName })
        main(GlobalArguments.hoisted(Array(CommandLine.arguments.dropFirst()), subcommands: names))
    }
}
