import Logging
import NIOCore
import Synchronization

/// What the child channel initializer hands to the accept loop: the framed channel, not yet reading,
/// and its peer.
struct AcceptedConnection: Sendable {
    var channel: Channel
    var peer: PeerCredentials
    /// Shared with the channel's ``VarlinkDirectCallHandler``.
    var direct: DirectCallState
}

/// One client connection: reads calls one after the other, dispatches each, and writes the replies.
///
/// The calls of a connection are handled strictly in order, each after the previous one ended and its
/// replies were taken by the channel. That is what Varlink promises a pipelining client (replies in
/// call order), and it stops a client that never reads from making the server read ever more calls.
final class VarlinkConnection: Sendable {
    private struct State {
        /// A call is being handled.
        var busy = false
        var shuttingDown = false
    }

    let id: Int
    let channel: Channel
    let peer: PeerCredentials
    let queue: ReplyQueue
    let direct: DirectCallState
    /// Fires when the channel closes or the server starts shutting down: `clientGone()` returns.
    let ended = EndSignal()
    let logger: Logger
    /// Lines about what a client did wrong, shared by all connections and limited in number.
    let notices: NoticeLimiter
    private let closeTimeout: TimeAmount
    private let state = Mutex(State())

    init(
        id: Int, accepted: AcceptedConnection, limits: VarlinkServer.Limits, budget: ReplyBudget,
        notices: NoticeLimiter, logger: Logger
    ) {
        self.id = id
        self.notices = notices
        self.channel = accepted.channel
        self.peer = accepted.peer
        self.queue = ReplyQueue(limit: limits.maxQueuedReplyBytes, budget: budget)
        self.direct = accepted.direct
        self.closeTimeout = TimeAmount(limits.closeTimeout)
        var logger = logger
        logger[metadataKey: "varlink.connection"] = "\(id)"
        logger[metadataKey: "varlink.peer.pid"] = "\(accepted.peer.pid)"
        logger[metadataKey: "varlink.peer.uid"] = "\(accepted.peer.uid)"
        self.logger = logger
        let ended = self.ended
        let queue = self.queue
        self.channel.closeFuture.whenComplete { _ in
            queue.close()
            ended.fire()
        }
    }

    /// Serves the connection until the client goes, breaks the protocol, or the server shuts down.
    func run(dispatcher: VarlinkDispatcher) async {
        self.logger.debug("Varlink client connected")
        do {
            // The async channel is made here, by the task that will finish it, and not in the channel
            // initializer: NIO traps when an async channel is dropped unfinished, and the listener drops
            // what it accepted but nobody took when it closes at shutdown. Until now the channel has
            // not read (autoRead is off), so nothing was lost.
            let channel = self.channel
            let asyncChannel = try await channel.eventLoop.submit {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }.get()
            try await asyncChannel.executeThenClose { inbound, outbound in
                try await channel.setOption(ChannelOptions.autoRead, value: true).get()
                await withDiscardingTaskGroup { group in
                    group.addTask { await self.writeReplies(to: outbound) }
                    await self.readCalls(from: inbound, dispatcher: dispatcher)
                    self.queue.finish()
                    // No call is read from here; one answered directly may still be on its way.
                    self.direct.shutDown()
                    await self.direct.waitUntilNoDirectCall()
                    // From here the connection is closing; a client that does not take its last replies
                    // within the close timeout must not hold the server (or its shutdown) up.
                    self.closeLater()
                }
                // Half-closing the output lets the last replies leave before the socket closes (a full
                // close would drop what the kernel has not yet taken) and tells the client we are done.
                try? await self.channel.close(mode: .output).get()
            }
        } catch {
            self.logger.debug("Varlink connection ended with an error", metadata: ["error": "\(error)"])
        }
        self.ended.fire()
        self.logger.debug("Varlink client disconnected")
    }

    private func readCalls(from inbound: NIOAsyncChannelInboundStream<ByteBuffer>, dispatcher: VarlinkDispatcher) async
    {
        var frames = inbound.makeAsyncIterator()
        while true {
            let frame: ByteBuffer
            do {
                guard let next = try await frames.next() else { return }
                frame = next
            } catch let error as VarlinkFramingError {
                self.notices.log(self.logger, .notice, "Varlink client broke the framing", metadata: ["reason": "\(error)"])
                if case .messageTooLarge = error {
                    _ = self.queue.enqueue(VarlinkMessage.errorReply(.invalidParameter(error.description)))
                }
                return
            } catch {
                self.logger.debug("Varlink connection read failed", metadata: ["error": "\(error)"])
                return
            }

            let call: VarlinkCall
            switch VarlinkMessage.parseCall(frame) {
            case .success(let parsed):
                call = parsed
            case .failure(let error):
                // After a malformed message the stream cannot be trusted to be in step: answer, then close.
                self.notices.log(
                    self.logger, .notice, "Varlink client sent a malformed call", metadata: ["error": "\(error)"])
                _ = self.queue.enqueue(VarlinkMessage.errorReply(error))
                return
            }

            guard self.beginCall() else { return }
            await dispatcher.dispatch(call, on: self)
            let carryOn = self.endCall()
            await self.queue.waitUntilDrained()
            self.direct.asyncCallDone()
            guard carryOn else { return }
        }
    }

    private func writeReplies(to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async {
        while let batch = await self.queue.nextBatch() {
            do {
                try await outbound.write(contentsOf: batch)
            } catch {
                self.logger.debug("Varlink reply write failed", metadata: ["error": "\(error)"])
                self.queue.close()
                self.channel.close(promise: nil)
                return
            }
        }
    }

    /// Queues a reply frame, dropping the client if it has left too much unread.
    func enqueue(_ frame: ByteBuffer, method: String) throws {
        switch self.queue.enqueue(frame) {
        case .queued:
            return
        case .closed:
            throw VarlinkReplyError(.clientGone, method: method)
        case .overLimit(let queuedBytes):
            self.notices.log(
                self.logger, .warning, "Varlink client dropped: replies left unread",
                metadata: [
                    "queued_bytes": "\(queuedBytes)", "limit": "\(self.queue.limit)", "method": "\(method)",
                    "all_clients_queued_bytes": "\(self.queue.budget.queuedBytes)",
                ]
            )
            self.queue.close()
            self.channel.close(promise: nil)
            throw VarlinkReplyError(.clientTooSlow, method: method)
        }
    }

    /// Whether the connection is closing because the server shuts down.
    var isShuttingDown: Bool { self.state.withLock { $0.shuttingDown } }

    private func beginCall() -> Bool {
        self.state.withLock { state in
            guard !state.shuttingDown else { return false }
            state.busy = true
            return true
        }
    }

    private func endCall() -> Bool {
        self.state.withLock { state in
            state.busy = false
            return !state.shuttingDown
        }
    }

    /// Winds the connection down for a server shutdown: the call in progress finishes and its replies
    /// are written; no further call is read.
    func beginShutdown() {
        let idle = self.state.withLock { state -> Bool in
            state.shuttingDown = true
            return !state.busy
        }
        // A direct call in flight closes the input itself once answered: closing it now would end the
        // connection before the answer is out.
        let directInFlight = self.direct.shutDown()
        // Streaming calls (Watch) wait in clientGone(); this ends them.
        self.ended.fire()
        self.queue.releaseDrainWaiters()
        if idle && !directInFlight {
            // The reader waits for a call that may never come; closing the input ends that wait while
            // the output stays open for replies still queued.
            self.channel.close(mode: .input, promise: nil)
        }
    }

    private func closeLater() {
        let channel = self.channel
        let deadline = channel.eventLoop.scheduleTask(in: self.closeTimeout) {
            channel.close(promise: nil)
        }
        channel.closeFuture.whenComplete { _ in deadline.cancel() }
    }
}
