import SLACore

/// A calendar's service hours in one line, as `slactl show` prints them to explain a due instant:
/// "Europe/Berlin, mon-fri 08:00-13:00 14:00-18:00, sat 09:00-12:00; 2 holidays".
enum CalendarText {
    static func describe(_ calendar: BusinessCalendar) -> String {
        let zone = calendar.zone.name
        let holidays = calendar.holidays.isEmpty ? "" : "; \(calendar.holidays.count) holiday(s) off"
        guard let week = calendar.weeklyHours else { return "\(zone), around the clock\(holidays)" }
        let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        var parts: [String] = []
        var day = 0
        while day < 7 {
            var last = day
            while last + 1 < 7, week[last + 1] == week[day] { last += 1 }
            if !week[day].isEmpty {
                let span = last == day ? names[day] : "\(names[day])-\(names[last])"
                parts.append(span + " " + week[day].map { "\(clock($0.start))-\(clock($0.end))" }.joined(separator: " "))
            }
            day = last + 1
        }
        return "\(zone), " + (parts.isEmpty ? "no service hours" : parts.joined(separator: ", ")) + holidays
    }

    private static func clock(_ seconds: Int32) -> String {
        let hours = seconds / 3600
        let minutes = seconds % 3600 / 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }
}
