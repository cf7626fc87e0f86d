import Foundation
import Testing

@testable import SLAFuzz

/// The saved fuzz corpus (contrib/fuzz/corpus/TARGET/), every file of it, through the very code libFuzzer
/// drives: an input that once crashed slad or broke an invariant is kept there and checked here.
@Suite("Fuzz corpus: every saved input through its target")
struct CorpusTests {
    static func inputs(_ target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let folder = "contrib/fuzz/corpus/" + target.rawValue
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { name in
            (name, Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))))
        }
    }

    @Test("every input keeps the target's invariants", arguments: FuzzTarget.allCases)
    func corpus(_ target: FuzzTarget) throws {
        let inputs = try Self.inputs(target)
        #expect(inputs.count >= 5, "the corpus of \(target) is missing")
        for input in inputs {
            #expect(throws: Never.self, "\(target.rawValue)/\(input.name)") { try target.run(input.bytes) }
        }
    }

    @Test("the frames target sees calls and errors the way the server does, however the bytes are cut")
    func framesOutcomes() {
        let bytes = Array(#"{"method":"a.b.C","more":true}"#.utf8) + [0] + Array("nope".utf8) + [0]
            + Array(repeating: UInt8(ascii: "x"), count: 1100)
        let whole = FuzzTarget.frameOutcomes(of: [bytes[...]])
        #expect(whole.count == 3, "\(whole)")
        #expect(whole.first == "call a.b.C false true")
        #expect(whole.dropFirst().first?.hasPrefix("error ") == true, "\(whole)")
        #expect(whole.last == "closed: message: longer than 1024 bytes")
        #expect(FuzzTarget.frameOutcomes(of: bytes.indices.map { bytes[$0...$0] }) == whole)
    }


    @Test("a broken invariant is reported, not passed over")
    func brokenInvariantReported() throws {
        // An event whose ticket id is not NFC would break the events invariant; the decoder makes it NFC,
        // so the target passes; check the target does look, by calling its check on a decoded NFD id.
        let nfd = Array(#"{"ticket":"cafe\#u{301}","event":"open"}"#.utf8)
        try FuzzTarget.events.run(nfd)
        #expect(throws: FuzzInvariantBroken.self) {
            try FuzzTarget.checkTicketIdentity("cafe\u{301}")
        }
        #expect(throws: FuzzInvariantBroken.self) {
            try FuzzTarget.checkTicketIdentity("ac\u{0}me")
        }
    }
}
