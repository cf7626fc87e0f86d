import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import SLACore

/// Posts webhooks through one HTTP client, redirects off: a redirected POST becomes a GET, and a
/// notice must reach the URL configured or fail visibly.
public final class WebhookSender: Sendable {
    private let client: HTTPClient

    public init() {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        // Per attempt the channel's timeout applies (as a deadline); these bound a connect alone.
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// One POST: 2xx is delivered, 410 gone, 429 and 5xx (and errors, timeouts) temporary, the rest permanent.
    public func post(
        url: String, body: [UInt8], headers: [(String, String)], timeout: Int64
    ) async -> DeliveryOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(timeout))
            // Read (and drop) the body so the connection can be used again; a huge one is cut off.
            _ = try? await response.body.collect(upTo: 64 << 10)
            let code = Int(response.status.code)
            switch code {
            case 200..<300: return .delivered
            case 410: return .gone("HTTP 410 Gone")
            case 429, 500..<600: return .temporary("HTTP \(code)")
            default: return .permanent("HTTP \(code)")
            }
        } catch {
            return .temporary("\(error)")
        }
    }

    /// Closes the client's connections.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
