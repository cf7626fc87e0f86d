import ArgumentParser

/// `slactl`: the control CLI of slad.
///
/// The control commands (open, respond, show, breaches, watch, ...) talk to the daemon's Varlink
/// socket, which arrives with the daemon; until then this is the command tree's root.
@main
struct Slactl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slactl",
        abstract: "Control slad: feed ticket events, ask what is about to breach.",
        discussion: "The daemon's control interface is not built yet; use `slad replay` to run the engine offline.",
        version: "0.1.0"
    )
}
