/// Why the bytes of a zone file do not make zone rules.
public struct TimeZoneFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A sentence: what is wrong with the file.
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// The parts of a TZif file (RFC 8536, versions 1 to 4) that decide UTC offsets.
///
/// Parsed from bytes only: reading the file is the caller's (SLAConfig's) business, so the engine
/// stays free of I/O. Of a version 2+ file the 64-bit block and the footer are used, of a version 1
/// file its 32-bit block (which has no footer: past its last transition the last offset holds).
public struct TimeZoneFile: Sendable, Equatable {
    /// The format version: 1 to 4.
    public var version: Int
    /// Transition instants (UTC seconds), ascending.
    public var transitions: [Int64]
    /// The index into `offsets` of the local time type each transition starts.
    public var typeIndices: [Int]
    /// Each local time type's UTC offset in seconds; type 0 applies before the first transition.
    public var offsets: [Int32]
    /// The footer's POSIX TZ string (`CET-1CEST,M3.5.0,M10.5.0/3`), empty when the file has none.
    public var footer: String

    /// Offsets beyond ±25:59:59 are no local time (RFC 8536 §3.2 bounds them tighter still).
    static let offsetLimit: Int32 = 93_599

    /// Parses a whole TZif file.
    public init(bytes: [UInt8]) throws(TimeZoneFileError) {
        var reader = ByteReader(bytes: bytes)
        let first = try Header(&reader)
        if first.version == 1 {
            self = try Self.block(&reader, first, timeSize: 4)
            version = 1
            return
        }
        try reader.skip(first.blockSize(timeSize: 4))
        let second = try Header(&reader)
        self = try Self.block(&reader, second, timeSize: 8)
        version = first.version
        guard try reader.byte() == 0x0A else { throw TimeZoneFileError("the footer does not start with a newline") }
        var text: [UInt8] = []
        while true {
            let byte = try reader.byte()
            if byte == 0x0A { break }
            guard (0x20...0x7E).contains(byte) else {
                throw TimeZoneFileError("the footer holds a byte that is not printable ASCII")
            }
            text.append(byte)
        }
        footer = String(decoding: text, as: UTF8.self)
    }

    private static func block(
        _ reader: inout ByteReader, _ header: Header, timeSize: Int
    ) throws(TimeZoneFileError) -> TimeZoneFile {
        guard header.typeCount > 0 else { throw TimeZoneFileError("the file has no local time type") }
        guard header.leapCount == 0 else {
            // Leap-second ("right/") files count TAI-like seconds, which no clock here keeps.
            throw TimeZoneFileError("the file counts leap seconds (a right/ zone); use the zone of the same name "
                + "outside right/")
        }
        var transitions: [Int64] = []
        transitions.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            let time =
                timeSize == 4 ? Int64(Int32(bitPattern: try reader.uint32())) : Int64(bitPattern: try reader.uint64())
            if let last = transitions.last, time <= last {
                throw TimeZoneFileError("the transition times do not ascend")
            }
            transitions.append(time)
        }
        var typeIndices: [Int] = []
        typeIndices.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            let index = Int(try reader.byte())
            guard index < header.typeCount else {
                throw TimeZoneFileError("a transition names local time type \(index) of \(header.typeCount)")
            }
            typeIndices.append(index)
        }
        var offsets: [Int32] = []
        for _ in 0..<header.typeCount {
            let offset = Int32(bitPattern: try reader.uint32())
            guard offset >= -offsetLimit, offset <= offsetLimit else {
                throw TimeZoneFileError("a local time type is \(offset) seconds from UTC, more than 26 hours")
            }
            offsets.append(offset)
            try reader.skip(2)  // isdst and the designation index: no clock depends on them
        }
        try reader.skip(header.charCount + header.leapCount * (timeSize + 4) + header.stdCount + header.utCount)
        return TimeZoneFile(
            version: 0, transitions: transitions, typeIndices: typeIndices, offsets: offsets, footer: "")
    }

    private init(version: Int, transitions: [Int64], typeIndices: [Int], offsets: [Int32], footer: String) {
        self.version = version
        self.transitions = transitions
        self.typeIndices = typeIndices
        self.offsets = offsets
        self.footer = footer
    }

    /// One header: the version and the six counts (RFC 8536 §3.1).
    private struct Header {
        var version: Int
        var utCount: Int
        var stdCount: Int
        var leapCount: Int
        var timeCount: Int
        var typeCount: Int
        var charCount: Int

        init(_ reader: inout ByteReader) throws(TimeZoneFileError) {
            guard try reader.take(4) == Array("TZif".utf8) else {
                throw TimeZoneFileError("the file is not a TZif zone file (no TZif header)")
            }
            switch try reader.byte() {
            case 0: version = 1
            case 0x32: version = 2
            case 0x33: version = 3
            case 0x34: version = 4
            case let other: throw TimeZoneFileError("the TZif version \(other) is unknown (1 to 4 are)")
            }
            try reader.skip(15)
            var counts: [Int] = []
            for _ in 0..<6 {
                let count = try reader.uint32()
                // Far beyond any real zone; keeps a hostile header from asking for gigabytes.
                guard count <= 1 << 20 else { throw TimeZoneFileError("a count in the header is \(count), too large") }
                counts.append(Int(count))
            }
            (utCount, stdCount, leapCount, timeCount, typeCount, charCount) =
                (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
        }

        func blockSize(timeSize: Int) -> Int {
            timeCount * (timeSize + 1) + typeCount * 6 + charCount + leapCount * (timeSize + 4) + stdCount + utCount
        }
    }
}

/// Big-endian reads over a byte array that throw, never trap, at its end.
private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    mutating func byte() throws(TimeZoneFileError) -> UInt8 {
        guard position < bytes.count else { throw TimeZoneFileError("the file ends early") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func take(_ count: Int) throws(TimeZoneFileError) -> [UInt8] {
        guard count <= bytes.count - position else { throw TimeZoneFileError("the file ends early") }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func skip(_ count: Int) throws(TimeZoneFileError) {
        guard count <= bytes.count - position else { throw TimeZoneFileError("the file ends early") }
        position += count
    }

    mutating func uint32() throws(TimeZoneFileError) -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64() throws(TimeZoneFileError) -> UInt64 {
        try take(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}

extension ZoneRules {
    /// Rules from the bytes of a TZif file: its transitions, then its footer's through 2399.
    public init(name: String, tzif bytes: [UInt8]) throws(TimeZoneFileError) {
        let file = try TimeZoneFile(bytes: bytes)
        let footer: POSIXTimeZone?
        do {
            footer = file.footer.isEmpty ? nil : try POSIXTimeZone(file.footer)
        } catch {
            throw TimeZoneFileError("the footer \"\(file.footer)\" is not a POSIX TZ string: \(error.reason)")
        }
        var changes: [(at: Int64, offset: Int32)] = zip(file.transitions, file.typeIndices).map {
            (at: $0, offset: file.offsets[$1])
        }
        let initial: Int32
        if let footer {
            // Without transitions the footer governs all time, from the table's start on (RFC 8536 §3.3).
            let after = file.transitions.last ?? -2_208_988_800
            initial = file.transitions.isEmpty ? footer.offset(at: after) : file.offsets[0]
            changes += footer.changes(after: after, before: ZoneRules.tableEnd)
        } else {
            initial = file.offsets[0]
        }
        self.init(name: name, initialOffset: initial, changes: changes)
    }
}
