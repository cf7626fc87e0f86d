import NIOCore
import Synchronization

/// What a connection's direct-call handler and its async reader share, so that calls answered either
/// way still end in the order they came.
///
/// A call goes the direct way only when the async reader has nothing in progress; while the async
/// reader has calls, every later call follows them there.
final class DirectCallState: Sendable {
    private struct State {
        /// Calls handed to the async reader whose replies are not yet in the channel.
        var asyncPending = 0
        /// A direct call awaits its answer.
        var directInFlight = false
        var shuttingDown = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// A call is handed to the async reader.
    func forwarded() {
        self.state.withLock { $0.asyncPending += 1 }
    }

    /// The async reader finished a call and its replies were taken by the channel.
    func asyncCallDone() {
        self.state.withLock { $0.asyncPending -= 1 }
    }

    /// Whether a direct call may start now; if so, it is in flight until ``endDirect()``.
    func beginDirect() -> Bool {
        self.state.withLock { state in
            guard state.asyncPending == 0, !state.shuttingDown, !state.directInFlight else { return false }
            state.directInFlight = true
            return true
        }
    }

    func endDirect() {
        let waiters = self.state.withLock { state in
            state.directInFlight = false
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// No direct call starts from now on; the async reader then refuses what comes.
    ///
    /// - Returns: whether a direct call is in flight: its handler then closes the input once it is
    ///   answered, as the connection would have had it been idle.
    @discardableResult
    func shutDown() -> Bool {
        self.state.withLock { state in
            state.shuttingDown = true
            return state.directInFlight
        }
    }

    var isShuttingDown: Bool { self.state.withLock { $0.shuttingDown } }

    /// Returns once no direct call is in flight: the connection must not close its output before the
    /// answer of an accepted call is written.
    func waitUntilNoDirectCall() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = self.state.withLock { state -> Bool in
                if !state.directInFlight { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}

/// Sits between the framing and the async channel: answers org.varlink.service itself, offers each
/// other call to the service's ``VarlinkService/answerDirectly(_:peer:answer:)``, and passes on what
/// neither takes.
///
/// While a direct call is in flight, later frames wait here and the channel reads no more, which is
/// the same back-pressure the async reader applies (one call at a time). A client that leaves its
/// replies unread makes the channel unwritable, and reading stops until it is writable again.
final class VarlinkDirectCallHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: VarlinkDispatcher
    private let peer: PeerCredentials
    private let shared: DirectCallState
    private var context: ChannelHandlerContext?
    private var inFlight = false
    private var waiting = CircularBuffer<ByteBuffer>()
    /// A read was asked for while frames waited: it is issued once they are handled.
    private var readHeld = false
    /// The client closed its side while calls waited here: the async reader learns of it only after
    /// them, as it would have had it read them itself.
    private var inputClosedHeld = false
    /// Frames went on since the last read completed: the async channel hands frames to its reader only
    /// when a read completes, so frames passed on later, from ``resume(context:)``, need one too.
    private var forwardedSinceReadComplete = false

    init(dispatcher: VarlinkDispatcher, peer: PeerCredentials, shared: DirectCallState) {
        self.dispatcher = dispatcher
        self.peer = peer
        self.shared = shared
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.waiting.removeAll()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = self.unwrapInboundIn(data)
        if self.inFlight || !self.waiting.isEmpty {
            self.waiting.append(frame)
        } else {
            self.take(frame, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent, self.inFlight || !self.waiting.isEmpty {
            self.inputClosedHeld = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.fireChannelWritabilityChanged()
        if context.channel.isWritable { self.resume(context: context) }
    }

    func read(context: ChannelHandlerContext) {
        if self.inFlight || !self.waiting.isEmpty || !context.channel.isWritable {
            self.readHeld = true
        } else {
            context.read()
        }
    }

    private func take(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        guard self.shared.beginDirect() else {
            self.forward(frame, context: context)
            return
        }
        guard case .success(let call) = VarlinkMessage.parseCall(frame), !call.oneway, !call.more, !call.upgrade
        else {
            // Malformed calls too: the async reader answers them as it always has, then closes.
            self.shared.endDirect()
            self.forward(frame, context: context)
            return
        }
        self.inFlight = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let taken = self.dispatcher.answerDirectly(call, peer: self.peer) { answer in
            // Always a new event loop task, even when answered at once: replies the async reader
            // queued earlier were scheduled before, so they leave first.
            eventLoop.execute { bound.value.finish(answer) }
        }
        if !taken {
            self.inFlight = false
            self.shared.endDirect()
            self.forward(frame, context: context)
        }
    }

    private func forward(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        self.shared.forwarded()
        self.forwardedSinceReadComplete = true
        context.fireChannelRead(self.wrapInboundOut(frame))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.forwardedSinceReadComplete = false
        context.fireChannelReadComplete()
    }

    private func finish(_ answer: VarlinkDirectAnswer) {
        self.inFlight = false
        // Before writing: a connection closing its output waits for this, and its close is an event
        // loop task scheduled after this one, so the reply still leaves first.
        self.shared.endDirect()
        guard let context = self.context else { return }
        let frame: ByteBuffer
        switch answer {
        case .success(let parameters): frame = VarlinkMessage.reply(parameters, continues: false)
        case .failure(let error): frame = VarlinkMessage.errorReply(error)
        }
        context.writeAndFlush(self.wrapOutboundOut(frame), promise: nil)
        self.resume(context: context)
        if !self.inFlight, self.shared.isShuttingDown {
            // The server is stopping and the connection idle now: closing the input ends the async
            // reader's wait for a call that will not be read.
            context.close(mode: .input, promise: nil)
        }
    }

    /// Handles the frames that waited, until one goes in flight; then lets the channel read again.
    private func resume(context: ChannelHandlerContext) {
        while !self.inFlight, context.channel.isWritable, let frame = self.waiting.popFirst() {
            self.take(frame, context: context)
        }
        if self.forwardedSinceReadComplete {
            self.channelReadComplete(context: context)
        }
        guard !self.inFlight, self.waiting.isEmpty else { return }
        if self.inputClosedHeld {
            self.inputClosedHeld = false
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        if context.channel.isWritable, self.readHeld {
            self.readHeld = false
            context.read()
        }
    }
}
