import ArgumentParser
import SLAContract
import SLAControl

/// `slactl ack TICKET [--note TEXT]`: stops every pending notification of the ticket.
struct AckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge a ticket: cancel its pending repeats and unacknowledged escalations.",
        discussion: """
            In one transaction slad cancels every pending notification of the ticket and records the \
            acknowledgement with you (the person whose people.NAME.user is your Unix user, else your uid) and \
            the note. A new record later (a new breach, an escalation) notifies afresh. Acknowledging a ticket \
            with nothing pending says so and is no error. Writers may acknowledge, and any person's own user.
            """)

    @Argument(help: "The ticket id, e.g. INC-42.") var ticket: String
    @Option(help: "A note kept with the acknowledgement.") var note: String?
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.run(options) { control, output in
            output.reply(try control.acknowledge(ticket: ticket, note: note)) { reply in
                NotificationText.acknowledged(ticket: ticket, cancelled: reply.cancelled)
            }
        }
    }
}

/// `slactl notifications [TICKET] [--pending | --failed] [--json]`: the outbox.
struct NotificationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "List notifications: recipient, channel, state, attempts, last error.",
        discussion: """
            Newest first. States: pending (not sent yet, or retrying), sent, failed (given up on that \
            channel; the person's next channel then has its own notification), cancelled (acknowledged, \
            resolved or closed before it was sent) and acknowledged (sent, then acknowledged).
            """)

    @Argument(help: "Only this ticket's notifications (and its acknowledgements).") var ticket: String?
    @Flag(help: "Only pending ones.") var pending = false
    @Flag(help: "Only failed ones.") var failed = false
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        if pending && failed { throw ValidationError("give --pending or --failed, not both") }
    }

    func run() throws {
        let state = pending ? "pending" : failed ? "failed" : nil
        try Invocation.run(options) { control, output in
            output.reply(try control.notifications(ticket: ticket, state: state)) { reply in
                var text = NotificationText.table(reply.notifications, format: InstantFormat())
                if !reply.acknowledgements.isEmpty {
                    text += "\n" + NotificationText.acknowledgements(reply.acknowledgements, format: InstantFormat())
                }
                return text
            }
        }
    }
}
