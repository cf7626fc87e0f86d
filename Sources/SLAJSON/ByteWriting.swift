extension Array where Element == UInt8 {
    /// Appends what `write` writes in place at the end, given room for `bound` bytes; `write` returns how
    /// many it wrote (at most `bound`). Text made of many small pieces (a timeline record, a string
    /// literal, a timestamp) costs one append this way instead of one a piece.
    public mutating func append(upTo bound: Int, writing write: (UnsafeMutablePointer<UInt8>) -> Int) {
        let start = self.count
        var remaining = bound
        while remaining > 0 {
            // Copied from zeroes: a repeated element is appended a byte at a time.
            let chunk = Swift.min(remaining, zeroes.count)
            zeroes.withUnsafeBufferPointer { self.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<chunk])) }
            remaining -= chunk
        }
        let written = self.withUnsafeMutableBufferPointer { write($0.baseAddress! + start) }
        precondition(written <= bound, "wrote \(written) bytes into room for \(bound)")
        self.removeLast(bound - written)
    }
}

private let zeroes = [UInt8](repeating: 0, count: 1024)
