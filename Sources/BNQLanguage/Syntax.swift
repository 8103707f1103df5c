import BNQCore

/// The syntax of a parsed text: every node of every statement in one buffer, children by index,
/// and names and values as byte ranges of the source, read only where the compiler needs them.
///
/// A tree reads its nodes and the source's UTF-8 through pointers, so reading it retains nothing.
/// A tree that outlives its parser owns a copy of both (`storage`, one block); the tree
/// `compile(source:)` compiles is lent instead, for the length of that call, and points at the
/// parser's own buffers (nothing allocated, nothing to free).
public struct SyntaxTree: @unchecked Sendable {
    /// Keeps `nodes` and `bytes` alive; nil for a tree lent for the length of a call.
    let storage: SyntaxStorage?
    /// The nodes (valid while `storage` is, or while the lending call runs); every index a node
    /// holds is one of them.
    let nodes: UnsafePointer<SyntaxNode>
    /// The UTF-8 of the text parsed: `bytes[0]` is the source's byte `origin` (a tree of a part
    /// of a text keeps that part; ranges still count from the start of the whole text).
    let bytes: UnsafeBufferPointer<UInt8>
    let origin: Int
    /// Set for a tree parsed from a parameter's text: positions inside that text mean nothing in
    /// the statement, so every node is reported where `$name` was written.
    var fixedRange: SourceRange?

    /// A tree that owns a copy of `nodes` and of `bytes`, the text's bytes from `origin` on.
    init(copying nodes: UnsafeBufferPointer<SyntaxNode>, of bytes: UnsafeBufferPointer<UInt8>, from origin: Int) {
        let storage = SyntaxStorage(nodes: nodes, bytes: bytes)
        self.storage = storage
        self.nodes = UnsafePointer(storage.nodes.baseAddress!)
        self.bytes = UnsafeBufferPointer(storage.bytes)
        self.origin = origin
    }

    /// A tree reading `nodes` and the whole text's `bytes` where they are: the caller keeps both
    /// alive while it is used.
    init(lending nodes: UnsafeBufferPointer<SyntaxNode>, of bytes: UnsafeBufferPointer<UInt8>) {
        self.storage = nil
        self.nodes = nodes.baseAddress ?? SyntaxStorage.none
        self.bytes = bytes
        self.origin = 0
    }

    /// An empty tree.
    static var empty: SyntaxTree { SyntaxTree(lending: UnsafeBufferPointer(start: nil, count: 0), of: UnsafeBufferPointer(start: nil, count: 0)) }

    @inline(__always) subscript(_ index: Int32) -> SyntaxNode { nodes[Int(index)] }

    /// Where node `index` was written.
    @inline(__always) func range(_ index: Int32) -> SourceRange { fixedRange ?? nodes[Int(index)].range }

    /// The text a node covers, as written.
    func text(_ index: Int32) -> String { text(nodes[Int(index)].range) }

    func text(_ range: SourceRange) -> String { Lexer.decoded(bytes, range.start - origin, range.end - origin) }

    /// Calls `body` with the source's UTF-8 and where node `index`'s text starts and ends in it.
    @inline(__always) func withText<T>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>, Int, Int) -> T) -> T {
        let range = nodes[Int(index)].range
        return body(bytes, range.start - origin, range.end - origin)
    }

    /// The name of a `.parameter` node (after its `$`).
    func parameterName(_ index: Int32) -> String {
        let range = nodes[Int(index)].range
        return text(SourceRange(range.start + 1, range.end))
    }

    /// The value of a `.string` node (quotes removed, escapes resolved).
    func stringValue(_ index: Int32) -> String {
        let range = nodes[Int(index)].range
        return Lexer.stringValue(bytes, SourceRange(range.start - origin, range.end - origin), closed: true)
    }

    /// The id of a `.job` or `.results` node as written: a quoted one's value, else its text
    /// (a parameter's with its `$`).
    func writtenID(_ index: Int32) -> String {
        nodes[Int(index)].detail == IDForm.quoted.rawValue ? stringValue(index) : text(index)
    }

    /// The text of a `.number` node as written (`-` and the digits, for a negative number).
    func numberText(_ index: Int32) -> String {
        let node = self[index]
        guard node.detail == 1 else { return text(node.range) }
        return "-" + text(SourceRange(Int(node.a), node.range.end))
    }

    /// A field expression's name: a field's as written, or the computed column as it reads
    /// (`endedAt - startedAt`, `bin(createdAt, 1d)`, `p95(duration)`, `duration, 97.5`).
    func name(_ index: Int32) -> String {
        let node = self[index]
        switch node.kind {
        case .star: return "*"
        case .now: return "now"
        case .difference: return name(node.a) + " - " + name(node.b)
        case .bin: return "bin(\(name(node.a)), \(binStepText(node.b)))"
        case .ranked: return "\(name(node.a)), \(text(node.b))"
        case .aggregate:
            let aggregate = Aggregate.at(node.detail)
            return node.a >= 0 ? aggregate.written(name(node.a)) : aggregate.rawValue
        default: return text(node.range)
        }
    }

    /// A bin's width as written (`1d`), or its months (`3mo`).
    func binStepText(_ index: Int32) -> String {
        let node = self[index]
        return node.detail == BinUnit.months.rawValue ? "\(Int64(node.number))mo" : text(node.range)
    }

    /// Where a predicate was written: all of a comparison, from its field to its value.
    func predicateRange(_ index: Int32) -> SourceRange { fixedRange ?? Self.predicateRange(nodes, index) }

    static func predicateRange(_ nodes: UnsafePointer<SyntaxNode>, _ index: Int32) -> SourceRange {
        let node = nodes[Int(index)]
        switch node.kind {
        case .comparison: return nodes[Int(node.a)].range.union(nodes[Int(node.b)].range)
        case .presence: return nodes[Int(node.a)].range.union(node.range)
        case .not: return node.range.union(predicateRange(nodes, node.a))
        default: return node.range
        }
    }

    /// The children of a list: `first` and the nodes its `next` links lead to (none for -1).
    func list(from first: Int32) -> SyntaxList { SyntaxList(nodes: nodes, next: first) }

    /// Whether node `a` of this tree and node `b` of `other` are the same syntax written at the same place.
    func same(_ a: Int32, _ other: SyntaxTree, _ b: Int32, following: Bool = false) -> Bool {
        if a < 0 || b < 0 { return a == b }
        let x = self[a]
        let y = other[b]
        guard x.kind == y.kind, x.detail == y.detail, x.range == y.range, x.number.bitPattern == y.number.bitPattern,
            bytes[(x.range.start - origin)..<(x.range.end - origin)].elementsEqual(other.bytes[(y.range.start - other.origin)..<(y.range.end - other.origin)]),
            fixedRange == other.fixedRange
        else { return false }
        return same(x.a, other, y.a, following: true) && same(x.b, other, y.b, following: true) && (!following || same(x.next, other, y.next, following: true))
    }
}

/// The nodes of a list, in order.
struct SyntaxList: Sequence, IteratorProtocol {
    /// The tree's nodes.
    let nodes: UnsafePointer<SyntaxNode>
    var following: Int32

    init(nodes: UnsafePointer<SyntaxNode>, next: Int32) {
        self.nodes = nodes
        self.following = next
    }

    mutating func next() -> Int32? {
        guard following >= 0 else { return nil }
        defer { following = nodes[Int(following)].next }
        return following
    }

    /// How many nodes the list holds, exactly (it is walked once to count them).
    var count: Int {
        var count = 0
        var node = following
        while node >= 0 {
            count += 1
            node = nodes[Int(node)].next
        }
        return count
    }
}

/// What a tree that outlives its parser reads: copies of its nodes and of its part of the
/// source's UTF-8, in one block (nodes first, then bytes), freed with it.
final class SyntaxStorage: @unchecked Sendable {
    let nodes: UnsafeMutableBufferPointer<SyntaxNode>
    let bytes: UnsafeMutableBufferPointer<UInt8>

    init(nodes: UnsafeBufferPointer<SyntaxNode>, bytes: UnsafeBufferPointer<UInt8>) {
        // At least one node, so that every pointer is a real one.
        let nodeBytes = Swift.max(nodes.count, 1) * MemoryLayout<SyntaxNode>.stride
        let block = UnsafeMutableRawPointer.allocate(byteCount: nodeBytes + bytes.count, alignment: MemoryLayout<SyntaxNode>.alignment)
        let nodeCopy = UnsafeMutableBufferPointer(start: block.bindMemory(to: SyntaxNode.self, capacity: Swift.max(nodes.count, 1)), count: nodes.count)
        _ = nodeCopy.initialize(from: nodes)
        let byteCopy = UnsafeMutableBufferPointer(start: (block + nodeBytes).bindMemory(to: UInt8.self, capacity: bytes.count), count: bytes.count)
        _ = byteCopy.initialize(from: bytes)
        self.nodes = nodeCopy
        self.bytes = byteCopy
    }

    deinit {
        // The nodes are plain values: the block is freed without deinitializing them.
        UnsafeMutableRawPointer(nodes.baseAddress!).deallocate()
    }

    /// Where an empty lent tree points (never read: no index reaches it).
    nonisolated(unsafe) static let none: UnsafePointer<SyntaxNode> = UnsafePointer(UnsafeMutablePointer<SyntaxNode>.allocate(capacity: 1))
}

/// One node of a `SyntaxTree`: a kind, where it was written, up to two children and the next
/// node of the list it is in (-1 for none), a small detail and a number, as each kind says.
struct SyntaxNode: Sendable {
    var kind: Kind
    /// The operator, aggregate, statement form, sign or flag, by kind.
    var detail: UInt8 = 0
    var a: Int32 = -1
    var b: Int32 = -1
    /// The next node of a list (select items, group keys, order items, clauses, list values).
    var next: Int32 = -1
    var range: SourceRange
    var number: Double = 0

    /// The whole number a `.limit` or `.offset` holds (in `number`'s bits: no Int64 is lost).
    var count: Int64 { Int64(bitPattern: number.bitPattern) }

    /// `value` kept in a node's number, for `count`.
    static func holding(_ value: Int64) -> Double { Double(bitPattern: UInt64(bitPattern: value)) }

    enum Kind: UInt8, Sendable {
        // Statements.
        /// `jobs`, `count`, `results where`, `history`, `syncs`, `timeline`: detail is the
        /// `QueryForm`; a is the first clause (`.select` … `.every`).
        case query
        /// `job ID` / `results ID`: the id is the node's text; detail is the `IDForm`.
        case job, results
        /// `explain STATEMENT`: a is the statement.
        case explain
        /// `diff [where P] [between A and B]`: a is the predicate, b the value A (its next is B).
        case diff

        // Clauses of a query, linked by next; each but limit and offset holds its part in a.
        case select, `where`, groupBy, having, orderBy, asOf, every
        /// `limit N`, `offset N`: `count` is N.
        case limit, offset

        // Select items and columns.
        /// One select item: a is the expression, b the alias (a `.name`).
        case item
        /// One `order by` key: a is the expression; detail 1 for `desc`.
        case orderItem
        /// `*` in a select list.
        case star
        /// A field or alias by name (the node's text).
        case name
        /// `A - B` of two times: a and b are `.name` or `.now`.
        case difference
        /// `bin(TIME, STEP)`: a is the time, b the `.binStep`.
        case bin
        /// A bin's width: detail is the `BinUnit`; number is the seconds, or the weeks or months.
        case binStep
        /// `percentile(f, Q)`'s argument: a is the field, b the `.number` Q.
        case ranked
        /// `count`, `p95(f)`, …: detail is the `Aggregate`'s index; a is the field or -1.
        case aggregate

        // Predicates.
        /// `P and Q`, `P or Q`: a and b; the range covers both.
        case and, or
        /// `not P`: a is P; the range is the word `not`.
        case not
        /// `FIELD OP VALUE`: detail is the operator's index, a the field, b the value; the range is the operator's.
        case comparison
        /// `FIELD is missing/present`: detail 1 for present; a is the field; the range is from `is`.
        case presence

        // Values.
        case string, word, timestamp, now, today
        /// A number; detail 1 when written with a leading `-`, and then a is where its digits start.
        case number
        /// A duration: number holds its seconds.
        case duration
        /// `$name`: the name follows the `$`.
        case parameter
        /// `BASE ± AMOUNT`: a and b; detail 1 for `-`.
        case shifted
        /// `(V, …)`: a is the first value (or -1).
        case list
    }
}

/// What a `.query` node answers.
enum QueryForm: UInt8 {
    case jobs, count, results, history, syncs, timeline
}

/// How a job id was written.
enum IDForm: UInt8 {
    case bare, quoted, parameter
}

/// The unit of a `.binStep`.
enum BinUnit: UInt8 {
    case seconds, weeks, months
}

/// A statement as written: a node of a syntax tree. The compiler reads it; tools compare it.
public struct Statement: Sendable, Hashable {
    public let tree: SyntaxTree
    let root: Int32

    /// The id of `job ID` or `results ID` as written (a parameter with its `$`); nil for other statements.
    public var jobID: String? {
        let node = tree[root]
        guard node.kind == .job || node.kind == .results else { return nil }
        return tree.writtenID(root)
    }

    /// Whether it is `results ID`.
    public var isResults: Bool { tree[root].kind == .results }

    public static func == (lhs: Statement, rhs: Statement) -> Bool { lhs.tree.same(lhs.root, rhs.tree, rhs.root) }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(tree[root].kind.rawValue)
        hasher.combine(tree.range(root))
    }
}

/// A predicate as written (`.watch … until P`): a node of a syntax tree.
public struct Predicate: Sendable, Hashable {
    public let tree: SyntaxTree
    let root: Int32

    public static func == (lhs: Predicate, rhs: Predicate) -> Bool { lhs.tree.same(lhs.root, rhs.tree, rhs.root) }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(tree[root].kind.rawValue)
        hasher.combine(tree.range(root))
    }
}

/// The aggregate functions of grouped statements.
public enum Aggregate: String, Sendable, Hashable, CaseIterable {
    case count, sum, avg, min, max
    /// Percentiles: exact, interpolated linearly between the closest ranks (PostgreSQL's
    /// `percentile_cont`), over the jobs where the field is present.
    case median, p50, p90, p95, p99
    /// `percentile(f, Q)`: any percentile, Q in (0, 100), exact as the others.
    case percentile
    /// The sample standard deviation.
    case stddev
    /// `sparkline(bin(t, WIDTH))`: the count per bucket, drawn in a cell (`▁▃▅█`).
    case sparkline
    /// `count(distinct f)`: how many different values the jobs that have one hold.
    case countDistinct = "count distinct"

    /// The aggregate a keyword names (`p95`, `count`); nil for any other keyword.
    public init?(keyword: Keyword) {
        for (word, aggregate) in Self.keywords where word == keyword {
            self = aggregate
            return
        }
        return nil
    }

    /// Each aggregate with the keyword of the same spelling, paired once (plain values: a scan
    /// of them costs less than hashing).
    static let keywords: [(Keyword, Aggregate)] = Keyword.allCases.compactMap { keyword in Aggregate(rawValue: keyword.rawValue).map { (keyword, $0) } }

    /// Every aggregate, in the order a syntax node numbers them.
    static let numbered = allCases

    /// The aggregate numbered `index` (how a syntax node holds it).
    static func at(_ index: UInt8) -> Aggregate { numbered[Int(index)] }

    /// Its number in a syntax node.
    var index: UInt8 { UInt8(Self.numbered.firstIndex(of: self)!) }

    /// How it is written, for help: `count`, `p95(f)`, `percentile(f, Q)`, `sparkline(bin(t, 1d))`.
    public var usage: String {
        switch self {
        case .count: return "count"
        case .percentile: return "percentile(f, Q)"
        case .sparkline: return "sparkline(bin(t, 1d))"
        default: return written("f")
        }
    }

    /// How it is written with its argument: `p95(duration)`, `count(distinct templateId)`.
    public func written(_ argument: String) -> String {
        self == .countDistinct ? "count(distinct \(argument))" : "\(rawValue)(\(argument))"
    }

    /// The fraction a percentile stands for (`p95`: 0.95); nil for the others.
    public var quantile: Double? {
        switch self {
        case .median, .p50: return 0.5
        case .p90: return 0.9
        case .p95: return 0.95
        case .p99: return 0.99
        default: return nil
        }
    }

    /// Whether it needs every value kept (memory grows with the values of each group).
    public var keepsValues: Bool { quantile != nil || self == .percentile }
}

/// The comparisons of predicates: `FIELD OP VALUE`.
public enum Comparison {
/// A comparison's operator; each is spelled by its raw value, a symbol or one or more words.
public enum Operator: String, Sendable, Hashable, CaseIterable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case `in` = "in", notIn = "not in", like = "like", notLike = "not like"
    case contains = "contains", containsAny = "contains any"

    /// Every operator, in the order a syntax node numbers them.
    static let numbered = allCases

    /// The operator numbered `index` (how a syntax node holds it).
    static func at(_ index: UInt8) -> Operator { numbered[Int(index)] }

    /// Its number in a syntax node.
    var index: UInt8 { UInt8(Self.numbered.firstIndex(of: self)!) }

    /// The tokens it is written as: one symbol, or words.
    public var words: [String] { rawValue.split(separator: " ").map(String.init) }

    /// Whether it is written with a symbol (`==`) rather than words (`not in`).
    public var isSymbol: Bool { rawValue.first.map { !$0.isLetter } ?? false }

    /// Whether it takes a parenthesised list of values.
    public var takesList: Bool { condition.takesList }

    /// The filter condition it means, and whether the result is negated (`not like`).
    public var condition: FilterCondition {
        switch self {
        case .equal: return .eq
        case .notEqual: return .neq
        case .less: return .lt
        case .lessOrEqual: return .lte
        case .greater: return .gt
        case .greaterOrEqual: return .gte
        case .in: return .in
        case .notIn: return .notIn
        case .like, .notLike: return .like
        case .contains: return .arrayContains
        case .containsAny: return .arrayContainsAny
        }
    }

    /// Whether the condition's result is negated locally (the API has no NOT LIKE).
    public var negatesCondition: Bool { self == .notLike }
}
}
