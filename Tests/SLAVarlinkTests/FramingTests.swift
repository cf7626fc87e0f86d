import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import SLAVarlink

@Suite("Varlink framing")
struct FramingTests {
    @Test("NUL-terminated messages come out whole however the bytes arrive")
    func verifier() throws {
        try ByteToMessageDecoderVerifier.verifyDecoder(
            stringInputOutputPairs: [
                (#"{"method":"io.slad.Sla.Status"}"# + "\0", [ByteBuffer(string: #"{"method":"io.slad.Sla.Status"}"#)]),
                ("{}\0{\"a\":1}\0", [ByteBuffer(string: "{}"), ByteBuffer(string: #"{"a":1}"#)]),
                ("\0", [ByteBuffer()]),
                ("é€\0", [ByteBuffer(string: "é€")]),
                (String(repeating: "x", count: 64) + "\0", [ByteBuffer(string: String(repeating: "x", count: 64))]),
            ],
            decoderFactory: { VarlinkFrameDecoder(maxMessageBytes: 64) }
        )
    }

    @Test("a message of exactly the limit passes, one byte more is refused", arguments: [false, true])
    func limit(terminated: Bool) throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(VarlinkFrameDecoder(maxMessageBytes: 8)))
        try channel.writeInbound(ByteBuffer(string: "12345678\0"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "12345678"))
        // Whether or not the NUL has arrived, nine bytes are one too many.
        let oversized = terminated ? "123456789\0" : "123456789"
        #expect(throws: VarlinkFramingError.messageTooLarge(limit: 8)) {
            try channel.writeInbound(ByteBuffer(string: oversized))
        }
        _ = try? channel.finish()
    }

    @Test("an oversized message is refused while it arrives, not once it is complete")
    func oversizedDripFeed() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(VarlinkFrameDecoder(maxMessageBytes: 16)))
        try channel.writeInbound(ByteBuffer(string: "{\"a\":1}\0" + String(repeating: "x", count: 16)))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: #"{"a":1}"#))
        #expect(throws: VarlinkFramingError.messageTooLarge(limit: 16)) {
            try channel.writeInbound(ByteBuffer(string: "x"))
        }
        _ = try? channel.finish()
    }

    @Test("a fragment left when the client hangs up is dropped")
    func fragmentAtEOF() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(VarlinkFrameDecoder(maxMessageBytes: 64)))
        try channel.writeInbound(ByteBuffer(string: "{}\0{\"meth"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "{}"))
        #expect(try channel.finish().isClean)
    }
}

@Suite("Partial message timeout")
struct PartialMessageTimeoutTests {
    private func makeChannel() throws -> (EmbeddedChannel, EmbeddedEventLoop) {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(handler: PartialMessageTimeoutHandler(timeout: .seconds(5)), loop: loop)
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/nowhere")).wait()
        return (channel, loop)
    }

    @Test("a message left incomplete past the timeout closes the connection")
    func stalls() throws {
        let (channel, loop) = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: #"{"method":"#))
        loop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("trickling bytes does not restart the clock")
    func trickle() throws {
        let (channel, loop) = try self.makeChannel()
        for _ in 0..<5 {
            try channel.writeInbound(ByteBuffer(string: "x"))
            loop.advanceTime(by: .milliseconds(999))
        }
        #expect(channel.isActive)
        loop.advanceTime(by: .milliseconds(10))
        #expect(!channel.isActive)
    }

    @Test("an idle client and one that finishes its messages stay connected")
    func idleAndComplete() throws {
        let (channel, loop) = try self.makeChannel()
        loop.advanceTime(by: .seconds(60))
        try channel.writeInbound(ByteBuffer(string: "{\"method\":"))
        loop.advanceTime(by: .seconds(4))
        try channel.writeInbound(ByteBuffer(string: "\"a.B\"}\0"))
        loop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    @Test("a new message after a NUL in the same read gets its own full timeout")
    func newMessageInSameRead() throws {
        let (channel, loop) = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "{\"a\":"))
        loop.advanceTime(by: .seconds(4))
        try channel.writeInbound(ByteBuffer(string: "1}\0{\"b\":"))
        loop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }
}

@Suite("Varlink call objects")
struct CallMessageTests {
    @Test("a call's fields are read, absent flags are false")
    func parsesCall() throws {
        let full = try VarlinkMessage.parseCall(
            ByteBuffer(string: #"{"method":"io.slad.Sla.Watch","parameters":{"a":1},"more":true,"upgrade":false}"#)
        ).get()
        #expect(full == VarlinkCall(method: "io.slad.Sla.Watch", parameters: ["a": 1], more: true))
        #expect(full.interface == "io.slad.Sla")
        #expect(full.methodName == "Watch")
        let bare = try VarlinkMessage.parseCall(ByteBuffer(string: #"{"method":"a.B","oneway":true}"#)).get()
        #expect(bare == VarlinkCall(method: "a.B", oneway: true))
    }

    @Test(
        "malformed calls are refused with what was wrong",
        arguments: [
            (#"{"method":1}"#, "method: not a string"),
            (#"{"method":"NoDot"}"#, "method: not of the form interface.Method"),
            (#"{"method":"a."}"#, "method: not of the form interface.Method"),
            (#"{"method":"a.B","parameters":[]}"#, "parameters: not an object"),
            (#"{"method":"a.B","more":"yes"}"#, "more: not a boolean"),
            (#"{"method":"a.B","oneway":true,"more":true}"#, "oneway: cannot be combined with more"),
            (#"{"method":"a.B","method":"a.C"}"#, "method"),
            (#"{"method":"a.B","parameters":{"events":[{"event":"open","event":"respond"}]}}"#, "event"),
        ]
    )
    func refusesCall(_ text: String, _ parameter: String) {
        #expect(throws: VarlinkError.invalidParameter(parameter)) {
            try VarlinkMessage.parseCall(ByteBuffer(string: text)).get()
        }
    }

    @Test("replies have the varlink.org shape and end with a NUL")
    func replyShape() {
        #expect(
            String(buffer: VarlinkMessage.reply(["b": 1, "a": "x"], continues: true))
                == #"{"parameters":{"a":"x","b":1},"continues":true}"# + "\0"
        )
        #expect(String(buffer: VarlinkMessage.reply([:], continues: false)) == #"{"parameters":{}}"# + "\0")
        #expect(
            String(buffer: VarlinkMessage.errorReply(.interfaceNotFound("x.Y")))
                == #"{"error":"org.varlink.service.InterfaceNotFound","parameters":{"interface":"x.Y"}}"# + "\0"
        )
    }
}
