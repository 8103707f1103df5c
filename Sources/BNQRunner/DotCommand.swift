import BNQCore
import BNQLanguage
import BNQRender

/// The dot-commands scripts and the shell share.
public enum DotCommand: Sendable, Equatable {
    case set(name: String, value: String)
    case unset(name: String)
    case format(OutputFormat)
    case expanded(Switch)
    case timing(Bool)
    case maxRows(Int?)
    case read(path: String)
    case output(path: String?)
    case once(path: String)
    case watch(every: Double, statement: String, until: String?)
    case show
    case endpoint(String)
    case demo
    case help(topic: String?)
    case quit

    public enum Switch: String, Sendable { case on, off, auto }

    /// Every command with its one-line help, for `.help` and completion.
    public static let catalogue: [(name: String, usage: String, summary: String)] = [
        ("help", ".help [TOPIC]", "this list; topics: fields, language, formats, watch"),
        ("format", ".format FORMAT", "output format: table, expanded, json, ndjson, csv, markdown"),
        ("expanded", ".expanded on|off|auto", "one block per record (auto: when a table is too wide)"),
        ("timing", ".timing on|off", "after each statement: time, requests, pages, rows"),
        ("maxrows", ".maxrows N|off", "cap on rows shown in the shell, with an \"N more rows\" footer"),
        ("output", ".output [FILE]", "send results to FILE (no FILE: back to standard output)"),
        ("once", ".once FILE", "send the next result to FILE"),
        ("read", ".read FILE", "run the statements in FILE"),
        ("set", ".set NAME VALUE", "set parameter $NAME (VALUE is read as a value: FAILED, now - 1d, 'text')"),
        ("unset", ".unset NAME", "remove parameter $NAME"),
        ("watch", ".watch [EVERY] STATEMENT [until PREDICATE]", "re-run a statement and show what changed"),
        ("show", ".show", "settings, parameters and endpoint (nothing secret)"),
        ("endpoint", ".endpoint URL", "talk to another API base URL (same credentials)"),
        ("demo", ".demo", "talk to the built-in demo service"),
        ("history", ".history [N]", "list recent statements, or run number N again (also !N)"),
        ("quit", ".quit", "leave"),
    ]

    /// Parses a dot-command line; the error says what is wrong, with a suggestion.
    public static func parse(_ line: String) -> Result<DotCommand, DotCommandError> {
        var text = line.trimmingCharacters(in: .whitespaces)
        if let comment = text.range(of: " --") { text = String(text[..<comment.lowerBound]) }
        let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let name = String(parts.first ?? "").dropFirst().lowercased()
        let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
        func usage() -> Result<DotCommand, DotCommandError> {
            .failure(DotCommandError("usage: " + (catalogue.first { $0.name == name }?.usage ?? ".\(name)")))
        }
        switch name {
        case "set":
            let pieces = argument.split(separator: " ", maxSplits: 1)
            guard pieces.count == 2, pieces[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return usage() }
            return .success(.set(name: String(pieces[0]).trimmingPrefix("$"), value: String(pieces[1])))
        case "unset":
            guard !argument.isEmpty else { return usage() }
            return .success(.unset(name: argument.trimmingPrefix("$")))
        case "format", "mode":
            guard let format = OutputFormat(rawValue: argument.lowercased()) else {
                return .failure(DotCommandError("unknown format '\(argument)'; use one of \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            return .success(.format(format))
        case "expanded", "x":
            guard let value = Switch(rawValue: argument.lowercased()) else { return usage() }
            return .success(.expanded(value))
        case "timing":
            guard argument == "on" || argument == "off" else { return usage() }
            return .success(.timing(argument == "on"))
        case "maxrows":
            if argument == "off" || argument == "0" { return .success(.maxRows(nil)) }
            guard let count = Int(argument), count > 0 else { return usage() }
            return .success(.maxRows(count))
        case "read", "i":
            guard !argument.isEmpty else { return usage() }
            return .success(.read(path: argument))
        case "output", "o":
            return .success(.output(path: argument.isEmpty ? nil : argument))
        case "once":
            guard !argument.isEmpty else { return usage() }
            return .success(.once(path: argument))
        case "watch":
            return parseWatch(argument)
        case "show":
            return .success(.show)
        case "endpoint":
            guard !argument.isEmpty else { return usage() }
            return .success(.endpoint(argument))
        case "demo":
            return .success(.demo)
        case "history":
            return .failure(DotCommandError(".history is available in the interactive shell"))
        case "help", "h", "?":
            return .success(.help(topic: argument.isEmpty ? nil : argument.lowercased()))
        case "quit", "exit", "q":
            return .success(.quit)
        default:
            let suggestion = Typo.closest(to: String(name), among: catalogue.map(\.name))
            return .failure(DotCommandError(
                "unknown command '.\(name)'" + (suggestion.map { "; did you mean '.\($0)'?" } ?? "; '.help' lists the commands")))
        }
    }

    static func parseWatch(_ argument: String) -> Result<DotCommand, DotCommandError> {
        var rest = argument
        var every = 5.0
        let first = rest.prefix(while: { !$0.isWhitespace })
        let token = Lexer.tokenize(String(first))
        if token.count == 2, token[0].kind == .duration {
            every = max(0.05, token[0].number)
            rest = String(rest.dropFirst(first.count)).trimmingCharacters(in: .whitespaces)
        }
        guard !rest.isEmpty else { return .failure(DotCommandError("usage: .watch [EVERY] STATEMENT [until PREDICATE]")) }
        // `until` as a word outside quotes splits the statement from the stop condition.
        let tokens = Lexer.tokenize(rest)
        if let until = tokens.first(where: { $0.isKeyword("until") }) {
            let bytes = Array(rest.utf8)
            let statement = String(decoding: bytes[..<until.range.start], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            let predicate = String(decoding: bytes[until.range.end...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            guard !predicate.isEmpty else { return .failure(DotCommandError("'until' needs a predicate, e.g. until state in (COMPLETE, FAILED)")) }
            return .success(.watch(every: every, statement: statement, until: predicate))
        }
        return .success(.watch(every: every, statement: rest, until: nil))
    }
}

/// A dot-command that cannot be run.
public struct DotCommandError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension String {
    func trimmingPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
