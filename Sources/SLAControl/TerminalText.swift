/// Text from slad (ticket ids, services, reasons, error messages) made safe to print on a terminal.
///
/// A field such as a service named `"\u{1B}]0;pwned\u{07}"` or `"\u{1B}[2J"` would retitle or clear the
/// operator's terminal, and a CR would let it overwrite the line it is on. Every control character
/// (Unicode general category Cc: U+0000 to U+001F and U+007F to U+009F, newline and tab included) is
/// written as `\xHH`, two lowercase hex digits (`\x1b`, `\x0d`, `\x85`); all else is kept, a backslash
/// too. JSON output (`--json`) is never escaped this way: it is exact, and JSON escapes these itself.
public enum TerminalText {
    /// `text` with each control character as `\xHH`.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                let hex = Array("0123456789abcdef".unicodeScalars)
                out.unicodeScalars.append(contentsOf: ["\\", "x", hex[Int(scalar.value >> 4)], hex[Int(scalar.value & 0xF)]])
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text made of lines: each line escaped, the newlines between them kept. The last guard before a
    /// terminal, for output assembled from fields already escaped one by one.
    public static func escapedLines(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { escaped(String($0)) }
            .joined(separator: "\n")
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
