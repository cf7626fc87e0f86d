import SLAContract

/// Tables and sentences for notifications and acknowledgements (`slactl notifications`, `ack`, `show`).
public enum NotificationText {
    public static func table(_ notifications: [SlaInterface.Notification], format: InstantFormat) -> String {
        guard !notifications.isEmpty else { return "no notifications" }
        var table = TextTable([
            .init("ID"), .init("TICKET"), .init("RECIPIENT"), .init("CHANNEL"), .init("PURPOSE"), .init("DUE"),
            .init("STATE"), .init("ATTEMPTS", .right), .init("LAST ERROR"),
        ])
        for row in notifications {
            let purpose = row.purpose == "repeat" ? "repeat \(row.round)" : row.purpose
            table.append([
                row.id, row.ticket, row.person, row.channel, purpose, format.format(row.due), row.state,
                "\(row.attempts)", row.lastError ?? "",
            ])
        }
        return table.render()
    }

    public static func acknowledgements(_ acks: [SlaInterface.Acknowledgement], format: InstantFormat) -> String {
        acks.map { ack in
            "acknowledged \(format.format(ack.at)) by \(ack.person ?? "uid \(ack.actor)")"
                + " (\(ack.cancelled) pending cancelled)" + (ack.note.map { ": \($0)" } ?? "")
        }.joined(separator: "\n")
    }

    /// What `slactl ack` says.
    public static func acknowledged(ticket: String, cancelled: Int) -> String {
        cancelled == 0
            ? "\(ticket): nothing was pending; the acknowledgement is recorded"
            : "\(ticket): acknowledged; \(cancelled) pending notification\(cancelled == 1 ? "" : "s") cancelled"
    }
}
