/// Guards a parser loop against running without consuming input: each turn must find the
/// position moved on since the last (swift-syntax's `LoopProgressCondition`). In debug builds a
/// stuck loop traps at once; in release it ends the loop instead of spinning forever.
struct LoopProgress {
    private var last: Int?

    /// Whether the loop may take another turn at `position`.
    mutating func advanced(to position: Int) -> Bool {
        defer { last = position }
        guard let last else { return true }
        assert(position > last, "a parser loop made no progress")
        return position > last
    }
}
