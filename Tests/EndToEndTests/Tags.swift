import Testing

extension Tag {
    /// Suites that run the built `slad` and `slactl` against real sockets, SQLite files and journald:
    /// the slow part of `swift test`. Every test of this module has it; `swift test --skip EndToEndTests`
    /// (the module's name) leaves them all out for a fast loop.
    @Tag static var endToEnd: Self
}
