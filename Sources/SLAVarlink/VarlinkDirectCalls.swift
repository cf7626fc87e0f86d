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
        /// Direct calls awaiting their answers.
        var directInFlight = 0
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
            guard state.asyncPending == 0, !state.shuttingDown else { return false }
            state.directInFlight += 1
            return true
        }
    }

    func endDirect() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.directInFlight -= 1
            guard state.directInFlight == 0 else { return [] }
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
            return state.directInFlight > 0
        }
    }

    var isShuttingDown: Bool { self.state.withLock { $0.shuttingDown } }

    /// Returns once no direct call is in flight: the connection must not close its output before the
    /// answer of an accepted call is written.
    func waitUntilNoDirectCall() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = self.state.withLock { state -> Bool in
                if state.directInFlight == 0 { return true }
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
/// A client that pipelines calls answered directly has up to ``maxInFlight`` of them in flight at
/// once, and gets the answers in the order of its calls whatever order they come in (a refusal comes
/// before the commit an earlier call waits for). A call the async reader must take waits here until
/// the direct calls before it are answered, and a direct call waits while the async reader has
/// calls; so replies keep the order of the calls. While calls wait here the channel reads no more,
/// and a client that leaves its replies unread makes the channel unwritable, which stops reading too.
final class VarlinkDirectCallHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Direct calls one connection may have in flight: enough for a pipelining client to fill group
    /// commits, few enough that one client cannot queue without bound.
    static let maxInFlight = 64

    private let dispatcher: VarlinkDispatcher
    private let peer: PeerCredentials
    private let shared: DirectCallState
    private var context: ChannelHandlerContext?
    private var inFlight = 0
    /// The number the next direct call gets, and the number of the answer to write next.
    private var nextCall: UInt64 = 0
    private var nextAnswer: UInt64 = 0
    /// Answers that came before an earlier call's.
    private var early: [UInt64: ByteBuffer] = [:]
    /// Replies are written and a flush is on its way.
    private var flushScheduled = false
    /// Frames not handled yet, in order.
    private var waiting = CircularBuffer<ByteBuffer>()
    /// A read was asked for while frames waited: it is issued once they are handled.
    private var readHeld = false
    /// The client closed its side while calls were here: the async reader learns of it only after
    /// them, as it would have had it read them itself.
    private var inputClosedHeld = false
    /// Frames went on since the last read completed: the async channel hands frames to its reader only
    /// when a read completes, so frames passed on later, from ``drain(context:)``, need one too.
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
        self.early.removeAll()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.waiting.append(self.unwrapInboundIn(data))
        self.drain(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.forwardedSinceReadComplete = false
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent, self.inFlight > 0 || !self.waiting.isEmpty {
            self.inputClosedHeld = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.fireChannelWritabilityChanged()
        if context.channel.isWritable { self.drain(context: context) }
    }

    func read(context: ChannelHandlerContext) {
        if !self.waiting.isEmpty || self.inFlight >= Self.maxInFlight || !context.channel.isWritable {
            self.readHeld = true
        } else {
            context.read()
        }
    }

    /// Handles waiting frames in order until one must wait: for room, for the channel to be writable,
    /// or (a call for the async reader) for the direct calls before it to be answered.
    private func drain(context: ChannelHandlerContext) {
        while let frame = self.waiting.first, self.inFlight < Self.maxInFlight, context.channel.isWritable {
            if self.startDirect(frame, context: context) {
                self.waiting.removeFirst()
                continue
            }
            guard self.inFlight == 0 else { break }
            self.waiting.removeFirst()
            self.forward(frame, context: context)
        }
        if self.forwardedSinceReadComplete {
            self.channelReadComplete(context: context)
        }
        guard self.waiting.isEmpty else { return }
        if self.inFlight == 0, self.inputClosedHeld {
            self.inputClosedHeld = false
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        if self.readHeld, self.inFlight < Self.maxInFlight, context.channel.isWritable {
            self.readHeld = false
            context.read()
        }
    }

    /// Starts `frame` as a direct call if it is one and may go now; false leaves it to the async reader.
    private func startDirect(_ frame: ByteBuffer, context: ChannelHandlerContext) -> Bool {
        guard self.shared.beginDirect() else { return false }
        guard case .success(let call) = VarlinkMessage.parseCall(frame), !call.oneway, !call.more, !call.upgrade
        else {
            // Malformed calls too: the async reader answers them as it always has, then closes.
            self.shared.endDirect()
            return false
        }
        let number = self.nextCall
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let taken = self.dispatcher.answerDirectly(call, peer: self.peer) { answer in
            // Always a new event loop task, even when answered at once: replies the async reader
            // queued earlier were scheduled before, so they leave first.
            eventLoop.execute { bound.value.finish(number, answer) }
        }
        guard taken else {
            self.shared.endDirect()
            return false
        }
        self.nextCall += 1
        self.inFlight += 1
        return true
    }

    private func flushReplies() {
        self.flushScheduled = false
        self.context?.flush()
    }

    private func forward(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        self.shared.forwarded()
        self.forwardedSinceReadComplete = true
        context.fireChannelRead(self.wrapInboundOut(frame))
    }

    private func finish(_ number: UInt64, _ answer: VarlinkDirectAnswer) {
        self.inFlight -= 1
        guard let context = self.context else { return self.shared.endDirect() }
        let frame: ByteBuffer
        switch answer {
        case .success(let parameters): frame = VarlinkMessage.reply(parameters, continues: false)
        case .failure(let error): frame = VarlinkMessage.errorReply(error)
        }
        // Answers mostly come in call order (commits are in order); only one that overtook an earlier
        // call's waits in `early`.
        var wrote = false
        if number == self.nextAnswer {
            context.write(self.wrapOutboundOut(frame), promise: nil)
            self.nextAnswer += 1
            wrote = true
            while !self.early.isEmpty, let next = self.early.removeValue(forKey: self.nextAnswer) {
                context.write(self.wrapOutboundOut(next), promise: nil)
                self.nextAnswer += 1
            }
        } else {
            self.early[number] = frame
        }
        if wrote, !self.flushScheduled {
            // One commit answers a pipelining client's calls in as many event loop tasks, queued one
            // after the other: flushing once after them sends their replies in one write.
            self.flushScheduled = true
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.execute { bound.value.flushReplies() }
        }
        // Only now: a connection closing its output waits for its last direct call to end, and its
        // close, an event loop task, then comes after the flush, so the replies leave first.
        self.shared.endDirect()
        self.drain(context: context)
        if self.inFlight == 0, self.shared.isShuttingDown {
            // The server is stopping and the connection idle now: closing the input ends the async
            // reader's wait for a call that will not be read.
            context.close(mode: .input, promise: nil)
        }
    }
}
