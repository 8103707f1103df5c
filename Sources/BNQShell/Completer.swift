import BNQCore
import BNQLanguage
import Foundation

/// Tab completion from the statement's context: keywords where a clause may start, field names
/// after `where`, `order by`, `group by` and in `select`, operators after a field, enum values after
/// `state ==` or inside `state in (`, dot-commands, file paths after `.read`, and the job ids seen
/// in this session after `job` and `results`.
public struct Completer: Sendable {
    public var jobIDs: [String]

    /// Ids with a control or bidirectional character are never offered: they would reach the
    /// terminal in the candidate list, and no one types them.
    public init(jobIDs: [String] = []) {
        self.jobIDs = jobIDs.filter { id in !id.isEmpty && !id.unicodeScalars.contains(where: UnsafeCharacters.contains) }
    }

    // Every word offered comes from the language's one vocabulary.
    static let statementKeywords = Vocabulary.statementKeywords
    static let clauseKeywords = Vocabulary.clauseSpellings
    static let operators = Comparison.Operator.allCases.map(\.rawValue)
    /// What may follow a complete comparison: another one, or a later clause.
    static let connectives = ["and", "or"] + Vocabulary.Clause.allCases.filter { $0 != .select && $0 != .where }.map(\.spelling)
    /// What a select list may hold besides fields.
    static let selectExtras = Vocabulary.aggregates.map { $0 == .count ? "count" : $0.rawValue + "(" } + [Vocabulary.binFunction + "(", "*"]
    /// What `having` compares: aggregates.
    static let aggregateWords = Vocabulary.aggregates.map { $0 == .count ? "count" : $0.rawValue + "(" }

    /// The candidates for the word before the cursor, and how many bytes of it they replace.
    /// `context` is the text of earlier lines of the same statement.
    public func complete(_ before: String, context: String = "") -> (replace: Int, candidates: [String]) {
        let trimmedStart = before.drop(while: { $0 == " " })
        if context.isEmpty, trimmedStart.hasPrefix(".") {
            guard let space = trimmedStart.firstIndex(of: " ") else {
                let names = DotCommand.catalogue.map { "." + $0.name }
                return (trimmedStart.utf8.count, Self.matching(String(trimmedStart), names))
            }
            guard let entry = DotCommand.entry(named: String(trimmedStart[trimmedStart.index(after: trimmedStart.startIndex)..<space])) else { return (0, []) }
            let argument = String(trimmedStart[trimmedStart.index(after: space)...].drop(while: { $0 == " " }))
            if entry.takesPath { return (argument.utf8.count, Self.paths(argument)) }
            guard !argument.contains(" ") else { return (0, []) }
            return (argument.utf8.count, Self.matching(argument, entry.arguments))
        }
        var wordStart = before.endIndex
        while wordStart > before.startIndex {
            let previous = before[before.index(before: wordStart)]
            guard previous.isLetter || previous.isNumber || previous == "_" || previous == "." || previous == "-" || previous == "$" else { break }
            wordStart = before.index(before: wordStart)
        }
        let word = String(before[wordStart...])
        let head = context + (context.isEmpty ? "" : "\n") + String(before[..<wordStart])
        let tokens = Lexer.tokenize(head).filter { $0.kind != .end }
        let candidates = candidates(after: tokens)
        return (word.utf8.count, Self.matching(word, candidates))
    }

    func candidates(after tokens: [Token]) -> [String] {
        guard let last = tokens.last else { return Self.statementKeywords }
        if last.isSymbol(";") { return Self.statementKeywords }
        // The statement the cursor is in decides which fields there are (jobs, history's, syncs').
        let statementStart = tokens.lastIndex(where: { $0.isSymbol(";") }).map { $0 + 1 } ?? 0
        let statement = tokens[statementStart...].first { $0.kind == .identifier && !$0.isKeyword("explain") }?.folded
        let schema: RecordSchema = statement == "history" ? .history : statement == "syncs" ? .syncs : .jobs
        let fields = Self.fieldNames(schema)
        let lower = last.kind == .identifier ? last.folded : last.text
        if last.kind == .identifier {
            switch lower {
            case "explain": return Self.statementKeywords.filter { $0 != "explain" }
            case "jobs", "history", "syncs": return Self.clauseKeywords
            case "timeline" where tokens.count - statementStart == 1: return ["where", Vocabulary.timelineStep]
            case "having": return Self.aggregateWords
            case "every": return []
            case "distinct": return schema.fields.filter { $0.type.isScalar }.map(\.path)
            case "diff" where tokens.count - statementStart == 1: return ["where", "between"]
            // `count` takes only a filter.
            case "count" where tokens.count - statementStart == 1: return ["where"]
            case "job", "results": return jobIDs.reversed() + (lower == "results" ? ["where"] : [])
            case "where", "and", "or", "not", "select": return fields + (lower == "select" ? Self.selectExtras : [])
            case "by":
                let ordering = tokens.count >= 2 && tokens[tokens.count - 2].isKeyword("order")
                return fields + (ordering ? Self.selectExtras.filter { $0 != "*" } : [Vocabulary.binFunction + "("])
            case "asc", "desc": return [",", Vocabulary.Clause.limit.spelling, Vocabulary.Clause.offset.spelling]
            case "in", "any": return ["("]
            default: break
            }
            if let field = schema.field(named: last.text) {
                switch Self.precedingKeyword(tokens) {
                case "where":
                    // Only the operators that apply to the field's type.
                    let operators = Comparison.Operator.allCases.filter { $0.condition.problem(with: field.type) == nil }.map(\.rawValue)
                    let ordered = FilterCondition.gte.problem(with: field.type) == nil
                    return operators + (ordered ? [Vocabulary.rangeForm] : []) + Vocabulary.presenceForms
                case "by" where Self.inOrderBy(tokens):
                    return Vocabulary.directions + [",", Vocabulary.Clause.limit.spelling, Vocabulary.Clause.offset.spelling]
                default: break
                }
            }
        }
        if last.kind == .symbol {
            switch last.text {
            case "==", "!=", "<", "<=", ">", ">=":
                if let field = Self.field(before: tokens.count - 1, in: tokens) { return Self.values(for: field) }
                return []
            case "(", ",":
                // Inside `in (…)`: the field's values; inside an aggregate: the fields it takes;
                // inside a select or order list: fields.
                if let field = Self.listField(tokens) { return Self.values(for: field) }
                if last.text == "(", tokens.count >= 2 {
                    let function = tokens[tokens.count - 2].folded
                    // bin( takes a time; sparkline( takes a bin.
                    if function == Vocabulary.binFunction { return schema.fields.filter { $0.type == .timestamp }.map(\.path) }
                    if let aggregate = Aggregate(rawValue: function) {
                        if aggregate == .sparkline { return [Vocabulary.binFunction + "("] }
                        return (aggregate == .count ? [Vocabulary.distinctWord] : []) + schema.fields.filter { field in
                            aggregate == .count || field.type.isNumeric || (field.type == .timestamp && (aggregate == .min || aggregate == .max))
                        }.map(\.path)
                    }
                }
                // The next item of a list: a select list and an order list also take aggregates
                // (and a select list `*`), a group list a bin.
                if last.text == "," {
                    switch Self.listClause(tokens) {
                    case "select": return fields + Self.selectExtras
                    case "order": return fields + Self.selectExtras.filter { $0 != "*" }
                    case "group": return fields + [Vocabulary.binFunction + "("]
                    default: break
                    }
                }
                return fields
            default: return []
            }
        }
        // After a value: what can follow a comparison (a timeline's predicate ends with `every`).
        return statement == "timeline" ? ["and", "or", Vocabulary.timelineStep] : Self.connectives
    }

    /// The fields of a schema as they can be written, `stateTimestamps.STATE` keys included.
    static func fieldNames(_ schema: RecordSchema) -> [String] {
        var names = schema.paths
        if schema.field(named: "stateTimestamps") != nil {
            names += EnumType.jobState.values.map { "stateTimestamps." + EnumType.jobState.shortName($0) }
        }
        return names
    }

    /// The clause (`select`, `group`, `order`) whose list the cursor is in: the last clause word
    /// outside parentheses (so `count(distinct f),` inside a select list is not taken for `count`).
    static func listClause(_ tokens: [Token]) -> String? {
        var depth = 0
        for token in tokens.reversed() {
            if token.isSymbol(")") { depth += 1 }
            if token.isSymbol("(") { depth -= 1 }
            if depth == 0, token.kind == .identifier, ["select", "where", "group", "having", "order"].contains(token.folded) { return token.folded }
        }
        return nil
    }

    /// Whether the cursor is in an `order by` list (not `group by`).
    static func inOrderBy(_ tokens: [Token]) -> Bool {
        guard let by = tokens.lastIndex(where: { $0.isKeyword("by") }), by > 0 else { return false }
        return tokens[by - 1].isKeyword("order")
    }

    static func precedingKeyword(_ tokens: [Token]) -> String? {
        for token in tokens.reversed() where token.kind == .identifier {
            let word = token.text.lowercased()
            if Vocabulary.clauseWords.contains(word) || Vocabulary.statementKeywords.contains(word) || word == "by" { return word }
            if ["and", "or", "not"].contains(word) { return "where" }
        }
        return nil
    }

    static func field(before index: Int, in tokens: [Token]) -> JobField? {
        guard index > 0, tokens[index - 1].kind == .identifier else { return nil }
        return JobSchema.field(named: tokens[index - 1].text)
    }

    /// The field of an open `field in (` list, if the cursor is inside one.
    static func listField(_ tokens: [Token]) -> JobField? {
        var depth = 0
        for index in tokens.indices.reversed() {
            let token = tokens[index]
            if token.isSymbol(")") { depth += 1 }
            if token.isSymbol("(") {
                if depth == 0 {
                    var operatorIndex = index - 1
                    if operatorIndex >= 0, tokens[operatorIndex].isKeyword("any") { operatorIndex -= 1 }
                    guard operatorIndex >= 1, tokens[operatorIndex].isKeyword("in") || tokens[operatorIndex].isKeyword("contains") else { return nil }
                    var fieldIndex = operatorIndex - 1
                    if tokens[fieldIndex].isKeyword("not"), fieldIndex >= 1 { fieldIndex -= 1 }
                    return JobSchema.field(named: tokens[fieldIndex].text)
                }
                depth -= 1
            }
        }
        return nil
    }

    static func values(for field: JobField) -> [String] {
        switch field.type {
        case .enumeration(let enumType): return enumType.values.map(enumType.shortName)
        case .bool: return Vocabulary.booleanWords
        case .timestamp: return Vocabulary.timeWords
        default: return []
        }
    }

    static func matching(_ word: String, _ candidates: [String]) -> [String] {
        let lower = word.lowercased()
        var seen = Set<String>()
        return candidates.filter { $0.lowercased().hasPrefix(lower) && seen.insert($0).inserted }
    }

    /// The files and folders a path being typed may continue to (folders end in `/`).
    static func paths(_ word: String) -> [String] {
        // A path with a control character (NUL among them) names no file anyone types, and
        // Foundation's path functions trap on NUL.
        guard !word.unicodeScalars.contains(where: UnsafeCharacters.contains) else { return [] }
        let expanded = word.hasPrefix("~") ? NSHomeDirectory() + word.dropFirst() : word
        let slash = expanded.lastIndex(of: "/")
        let folder = slash.map { String(expanded[...$0]) } ?? ""
        let prefix = slash.map { String(expanded[expanded.index(after: $0)...]) } ?? expanded
        let listFolder = folder.isEmpty ? "./" : folder
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: listFolder) else { return [] }
        let typedFolder = String(word.dropLast(prefix.count))
        // A name with a control character would act on the terminal in the list: never offered.
        let shown = names.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") && !$0.unicodeScalars.contains(where: UnsafeCharacters.contains) }
        return shown.sorted().map { name in
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: listFolder + name, isDirectory: &isFolder)
            return typedFolder + name + (exists && isFolder.boolValue ? "/" : "")
        }
    }
}
