import NIOCore
import SLAJSON

/// The Varlink call and reply objects (varlink.org "Method Call"), read from and written to frames.
package enum VarlinkMessage {
    /// Reads one call from a frame (the JSON text without its NUL).
    ///
    /// A frame that is not a well-formed call is refused with `InvalidParameter` saying what was wrong;
    /// the connection then cannot be trusted to be in step, so the caller closes it.
    package static func parseCall(_ frame: ByteBuffer) -> Result<VarlinkCall, VarlinkError> {
        let decoded = frame.withUnsafeReadableBytes { JSONValue.decode($0) }
        let value: JSONValue
        switch decoded {
        case .success(let parsed):
            value = parsed
        case .failure(let error) where error.reason == "not valid UTF-8":
            return .failure(.invalidParameter("message: not valid UTF-8"))
        case .failure(let error) where error.duplicateKey != nil:
            // Named as the parameter at fault: the member given twice, at whatever depth.
            return .failure(.invalidParameter(error.duplicateKey!))
        case .failure(let error):
            return .failure(.invalidParameter("message: not valid JSON: \(error)"))
        }
        guard case .object(let members) = value else {
            return .failure(.invalidParameter("message: not a JSON object"))
        }
        guard let methodValue = members["method"] else {
            return .failure(.invalidParameter("method: missing"))
        }
        guard case .string(let method) = methodValue else {
            return .failure(.invalidParameter("method: not a string"))
        }
        // interface.Method: an interface is reverse-domain with at least two labels, so the method
        // name must have a dot with something on both sides.
        guard let dot = method.lastIndex(of: "."), dot != method.startIndex,
            method.index(after: dot) != method.endIndex
        else {
            return .failure(.invalidParameter("method: not of the form interface.Method"))
        }
        var call = VarlinkCall(method: method)
        switch members["parameters"] {
        case nil, .null?:
            break
        case .object(let parameters)?:
            call.parameters = parameters
        default:
            return .failure(.invalidParameter("parameters: not an object"))
        }
        for (key, keyPath) in [("oneway", \VarlinkCall.oneway), ("more", \.more), ("upgrade", \.upgrade)] {
            switch members[key] {
            case nil, .null?:
                break
            case .bool(let flag)?:
                call[keyPath: keyPath] = flag
            default:
                return .failure(.invalidParameter("\(key): not a boolean"))
            }
        }
        if call.oneway && call.more {
            // A oneway call gets no reply, so it cannot get several.
            return .failure(.invalidParameter("oneway: cannot be combined with more"))
        }
        return .success(call)
    }

    /// A reply frame: `{"parameters":{…},"continues":true}` and its NUL.
    static func reply(_ parameters: [String: JSONValue], continues: Bool) -> ByteBuffer {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        out.append(contentsOf: #"{"parameters":"#.utf8)
        JSONValue.appendObject(parameters, to: &out)
        if continues {
            out.append(contentsOf: #","continues":true"#.utf8)
        }
        out.append(contentsOf: "}\0".utf8)
        return ByteBuffer(bytes: out)
    }

    /// An error reply frame: `{"error":"name","parameters":{…}}` and its NUL.
    static func errorReply(_ error: VarlinkError) -> ByteBuffer {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        out.append(contentsOf: #"{"error":"#.utf8)
        JSONValue.appendQuoted(error.name, to: &out)
        out.append(contentsOf: #","parameters":"#.utf8)
        JSONValue.appendObject(error.parameters, to: &out)
        out.append(contentsOf: "}\0".utf8)
        return ByteBuffer(bytes: out)
    }
}
