import NIOCore

/// Drops a client that starts a message and does not finish it within `timeout`.
///
/// A client that sends nothing is left alone (a `Watch` client waits for hours); only a message in
/// progress holds buffers on the server, so only it is timed. The clock starts at the first byte of a
/// message and does not restart as more bytes trickle in, so a client cannot hold a connection by
/// sending a byte now and then. Sits before the frame decoder and looks only at whether the bytes
/// read so far end with the NUL that ends a message.
final class PartialMessageTimeoutHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Self.unwrapInboundIn(data)
        if let last = bytes.readableBytesView.last {
            let endsAtMessageEnd = last == 0
            if endsAtMessageEnd {
                self.disarm()
            } else if self.deadline == nil || bytes.readableBytesView.contains(0) {
                // A NUL in the middle ended the old message; the clock is now for the one after it.
                self.arm(context: context)
            }
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.disarm()
    }

    private func arm(context: ChannelHandlerContext) {
        self.disarm()
        let timeout = self.timeout
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.deadline = context.eventLoop.scheduleTask(in: timeout) {
            let context = loopBound.value
            // The error reaches the connection's async code, which logs why the client was dropped.
            context.fireErrorCaught(VarlinkFramingError.partialMessageTimedOut(timeout: timeout))
            context.close(promise: nil)
        }
    }

    private func disarm() {
        self.deadline?.cancel()
        self.deadline = nil
    }
}
