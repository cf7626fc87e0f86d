import Foundation

/// The Standard Webhooks headers (standardwebhooks.com): `webhook-id`, `webhook-timestamp` and, with a
/// secret, `webhook-signature` = `v1,` + base64(HMAC-SHA256(key, "id.timestamp.body")), where the key is
/// the secret's base64 part after `whsec_`.
public enum StandardWebhooks {
    /// The signing key of a secret file's text: `whsec_` and base64, surrounding white space ignored;
    /// nil when it is neither that nor bare base64.
    public static func key(fromSecret text: String) -> [UInt8]? {
        var secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if secret.hasPrefix("whsec_") { secret.removeFirst(6) }
        guard !secret.isEmpty, let data = Data(base64Encoded: secret) else { return nil }
        return [UInt8](data)
    }

    /// The value of `webhook-signature` for one attempt.
    public static func signature(key: [UInt8], id: String, timestamp: Int64, body: [UInt8]) -> String {
        let signed = Array("\(id).\(timestamp).".utf8) + body
        return "v1," + Data(HMACSHA256.authenticationCode(key: key, message: signed)).base64EncodedString()
    }

    /// The three headers (two without a key).
    public static func headers(id: String, timestamp: Int64, body: [UInt8], key: [UInt8]?) -> [(String, String)] {
        var headers = [("webhook-id", id), ("webhook-timestamp", String(timestamp))]
        if let key {
            headers.append(("webhook-signature", signature(key: key, id: id, timestamp: timestamp, body: body)))
        }
        return headers
    }
}
