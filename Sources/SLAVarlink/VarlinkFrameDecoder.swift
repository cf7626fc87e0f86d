import NIOCore

/// Why the bytes on a connection stopped making frames.
package enum VarlinkFramingError: Error, Equatable, CustomStringConvertible {
    /// More than `limit` bytes arrived without the NUL that ends a message.
    case messageTooLarge(limit: Int)
    /// Part of a message arrived and the rest did not come within `timeout`.
    case partialMessageTimedOut(timeout: TimeAmount)

    package var description: String {
        switch self {
        case .messageTooLarge(let limit):
            "message: longer than \(limit) bytes"
        case .partialMessageTimedOut(let timeout):
            "message: incomplete for longer than \(timeout.nanoseconds / 1_000_000) ms"
        }
    }
}

/// Cuts the byte stream into Varlink messages: each is JSON text ended by a NUL byte.
///
/// Emits each message without its NUL, unparsed (the JSON is read in async code, off the event loop).
/// A message longer than `maxMessageBytes` is an error as soon as that many bytes are buffered without
/// a NUL, so a client cannot make the server buffer without bound.
package struct VarlinkFrameDecoder: ByteToMessageDecoder {
    package typealias InboundOut = ByteBuffer

    let maxMessageBytes: Int
    /// Bytes from the reader index already known to hold no NUL, so a message that arrives in many
    /// reads is scanned once, not once per read.
    private var scanned = 0

    package init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    package mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let searchFrom = view.index(view.startIndex, offsetBy: self.scanned)
        guard let end = view[searchFrom...].firstIndex(of: 0) else {
            self.scanned = view.count
            if view.count > self.maxMessageBytes {
                throw VarlinkFramingError.messageTooLarge(limit: self.maxMessageBytes)
            }
            return .needMoreData
        }
        let length = end - view.startIndex
        if length > self.maxMessageBytes {
            throw VarlinkFramingError.messageTooLarge(limit: self.maxMessageBytes)
        }
        let message = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        self.scanned = 0
        context.fireChannelRead(Self.wrapInboundOut(message))
        return .continue
    }

    package mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        let state = try self.decode(context: context, buffer: &buffer)
        if state == .needMoreData {
            // The client hung up in the middle of a message: there is no one to answer, so the
            // fragment is dropped rather than reported.
            buffer.moveReaderIndex(to: buffer.writerIndex)
            self.scanned = 0
        }
        return state
    }
}
