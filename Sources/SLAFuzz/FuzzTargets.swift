import Foundation
import NIOCore
import NIOEmbedded
import SLAConfig
import SLAJSON
import SLAVarlink
import SLAWire

/// The inputs slad reads from strangers, each as one fuzz target: libFuzzer drives them from
/// `contrib/fuzz` (see its README), and the test suite replays the saved corpus through the same code,
/// so every input that once crashed or broke an invariant stays a regression test.
///
/// A target returns normally for any bytes, valid or not; it throws only when an invariant that holds
/// for every input is broken (the fuzz driver turns that into a crash libFuzzer reports and saves).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The Varlink framing and call parsing: bytes as a client sends them, cut at two places.
    case frames
    /// The JSON codec: what decodes encodes back to text that decodes to the same value.
    case json
    /// A line of events, as `Submit` and `slad replay` read them.
    case events
    /// A configuration file.
    case config

    /// Runs the target on `data`.
    public func run(_ data: [UInt8]) throws(FuzzInvariantBroken) {
        switch self {
        case .frames: try Self.frames(data)
        case .json: try Self.json(data)
        case .events: try Self.events(data)
        case .config: try Self.config(data)
        }
    }

    /// The frames and calls must not depend on how the bytes were cut into reads, and each frame is a
    /// call or a named error.
    static func frames(_ data: [UInt8]) throws(FuzzInvariantBroken) {
        let whole = Self.frameOutcomes(of: [data[...]])
        let cut = data.isEmpty ? 0 : Int(data[0]) % (data.count + 1)
        let cutAgain = data.count < 2 ? cut : cut + (data.count - cut) / 2
        let pieces = Self.frameOutcomes(of: [data[..<cut], data[cut..<cutAgain], data[cutAgain...]])
        guard whole == pieces else {
            throw FuzzInvariantBroken("frames depend on how the bytes arrive: \(whole) against \(pieces)")
        }
    }

    /// What the server's decoder and call parser make of `reads`, read one after the other.
    static func frameOutcomes(of reads: [ArraySlice<UInt8>]) -> [String] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(VarlinkFrameDecoder(maxMessageBytes: 1024)))
        var outcomes: [String] = []
        do {
            for read in reads where !read.isEmpty {
                try channel.writeInbound(channel.allocator.buffer(bytes: read))
                while let frame: ByteBuffer = try channel.readInbound() { outcomes.append(outcome(of: frame)) }
            }
        } catch {
            // The frames before the error were passed on before it, as a connection's reader gets them.
            while let frame: ByteBuffer = try? channel.readInbound() { outcomes.append(outcome(of: frame)) }
            outcomes.append("closed: \(error)")
        }
        _ = try? channel.finish()
        return outcomes
    }

    private static func outcome(of frame: ByteBuffer) -> String {
        switch VarlinkMessage.parseCall(frame) {
        case .success(let call): "call \(call.method) \(call.oneway) \(call.more)"
        case .failure(let error): "error \(error)"
        }
    }

    /// Decoding is total, and what decodes survives encoding: decode(encode(v)) == v.
    static func json(_ data: [UInt8]) throws(FuzzInvariantBroken) {
        let value: JSONValue
        do {
            value = try JSONValue.decode(data)
        } catch {
            return
        }
        let text = value.encode()
        let again: JSONValue
        do {
            again = try JSONValue.decode(text)
        } catch {
            throw FuzzInvariantBroken("encoded text does not decode: \(error): \(String(decoding: text, as: UTF8.self))")
        }
        guard again == value else {
            throw FuzzInvariantBroken("round trip changed \(value) into \(again)")
        }
    }

    /// An event that decodes names its ticket by the one identity slad uses (NFC, no control
    /// characters), whatever form the bytes had.
    static func events(_ data: [UInt8]) throws(FuzzInvariantBroken) {
        guard case .success(let timed) = EventFormat.decode(line: Data(data)) else { return }
        try checkTicketIdentity(timed.event.ticket)
    }

    static func checkTicketIdentity(_ id: String) throws(FuzzInvariantBroken) {
        // Bytes, not String's ==, which holds canonically equivalent forms equal.
        guard EventFormat.ticketIdentity(id).utf8.elementsEqual(id.utf8) else {
            throw FuzzInvariantBroken("ticket id \(id.debugDescription) is not in its identity form")
        }
        guard !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw FuzzInvariantBroken("ticket id \(id.debugDescription) holds a control character")
        }
    }

    /// Every diagnostic of a configuration file points into the file and says something.
    static func config(_ data: [UInt8]) throws(FuzzInvariantBroken) {
        let text = String(decoding: data, as: UTF8.self)
        // YAML breaks lines at CR, LF, CRLF, NEL, LS and PS, and its diagnostics count them so (a CRLF
        // counted twice here only widens the bound).
        let breaks: Set<Unicode.Scalar> = ["\r", "\n", "\u{85}", "\u{2028}", "\u{2029}"]
        let lines = text.unicodeScalars.reduce(1) { count, scalar in breaks.contains(scalar) ? count + 1 : count }
        let check = ConfigLoader.check(yaml: text, file: "fuzz.yaml")
        var diagnostics = check.warnings
        if case .failure(let errors) = check.result { diagnostics += errors.diagnostics }
        for diagnostic in diagnostics {
            guard diagnostic.line >= 1, diagnostic.line <= lines + 1, diagnostic.column >= 1,
                !diagnostic.message.isEmpty
            else {
                throw FuzzInvariantBroken("diagnostic outside the file or empty: \(diagnostic)")
            }
        }
    }
}

/// An invariant that holds for every input did not hold for this one.
public struct FuzzInvariantBroken: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
