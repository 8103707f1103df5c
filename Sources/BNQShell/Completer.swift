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
    static let selectExtras = Vocabulary.aggregates.map { $0 == .count ? "count" : $0.rawValue + "(" } + ["*"]

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
        let lower = last.kind == .identifier ? last.text.lowercased() : last.text
        let fields = JobSchema.paths
        if last.kind == .identifier {
            switch lower {
            case "explain": return Self.statementKeywords.filter { $0 != "explain" }
            case "jobs", "count", "history": return Self.clauseKeywords
            case "job", "results": return jobIDs.reversed() + (lower == "results" ? ["where"] : [])
            case "where", "and", "or", "not", "by", "select": return fields + (lower == "select" ? Self.selectExtras : [])
            case "asc", "desc": return [Vocabulary.Clause.limit.spelling, Vocabulary.Clause.offset.spelling]
            case "in", "any": return ["("]
            default: break
            }
            if JobSchema.field(named: last.text) != nil, Self.precedingKeyword(tokens) == "where" {
                return Self.operators
            }
        }
        if last.kind == .symbol {
            switch last.text {
            case "==", "!=", "<", "<=", ">", ">=":
                if let field = Self.field(before: tokens.count - 1, in: tokens) { return Self.values(for: field) }
                return []
            case "(", ",":
                // Inside `in (…)`: the field's values; inside a select or order list: fields.
                if let field = Self.listField(tokens) { return Self.values(for: field) }
                return fields
            default: return []
            }
        }
        // After a value: what can follow a comparison.
        return Self.connectives
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

    static func paths(_ word: String) -> [String] {
        let expanded = word.hasPrefix("~") ? NSHomeDirectory() + word.dropFirst() : word
        let folder = expanded.hasSuffix("/") ? expanded : (expanded as NSString).deletingLastPathComponent
        let prefix = expanded.hasSuffix("/") ? "" : (expanded as NSString).lastPathComponent
        let listFolder = folder.isEmpty ? "." : folder
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: listFolder) else { return [] }
        let typedFolder = word.hasSuffix("/") ? word : String(word.dropLast(prefix.count))
        return names.filter { $0.hasPrefix(prefix) && !$0.hasPrefix(".") }.sorted().map { name in
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: (listFolder as NSString).appendingPathComponent(name), isDirectory: &isFolder)
            return typedFolder + name + (isFolder.boolValue ? "/" : "")
        }
    }
}
