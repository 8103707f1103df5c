import ArgumentParser
import BNQCore
import BNQLanguage
import Foundation

/// `bnq bench-compiler`: statements parsed and compiled per second (for scripts/bench).
struct BenchCompilerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-compiler", abstract: "Measure how many statements per second bnq parses and compiles.", shouldDisplay: false)

    @Option(help: "How long to run, in seconds.") var seconds: Double = 3
    @Option(help: "What to measure: all (parse and compile), lex or parse.") var stage: String = "all"
    @Option(help: "Measure this statement alone instead of the built-in mix (repeat the option for several).") var statement: [String] = []

    static let statements = [
        "jobs where state == COMPLETE order by createdAt limit 10",
        "jobs where state == FAILED and createdAt > now - 7d order by createdAt desc limit 20",
        "count where state in (NEW, STARTED, UPLOADING) and createdAt < now - 1h",
        "jobs select id, name, errorMessage where state == FAILED or errorMessage like '%timeout%' limit 5",
        "jobs select templateInfo.app, count, sum(paymentAmount) where createdAt > now - 7d group by templateInfo.app",
        "jobs where regions.whitelist contains any ('us-east', 'eu-west') and not (state == FAILED) and duration > 15m",
        "job 5d0c2a3e-0a8a-c87f-c4b0-530e23b1f3e2",
        "explain jobs where name not like 'trailer%' and priority == FAST order by paymentAmount desc limit 5",
    ]

    /// What one turn of the loop runs: read once from `--stage`, so that the loop does not compare strings.
    enum Stage { case lex, parse, all }

    func run() throws {
        let context = CompileContext(now: Timestamp(rfc3339: "2026-11-28T00:00:00Z")!)
        let compiler = Compiler(context: context)
        let stage: Stage =
            switch self.stage {
            case "lex": .lex
            case "parse": .parse
            default: .all
            }
        let statements = statement.isEmpty ? Self.statements : statement
        var count = 0
        var checksum = 0
        let start = ContinuousClock.now
        let budget = Duration.milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now - start < budget {
            for statement in statements {
                switch stage {
                case .lex: checksum &+= Lexer.lexemeCount(statement)
                case .parse: checksum &+= Parser.parse(statement).statements.count
                case .all: if case .success = compiler.compile(source: statement) { checksum &+= 1 }
                }
                count += 1
            }
        }
        let elapsed = ContinuousClock.now - start
        let secondsElapsed = elapsed.inSeconds
        print("\(Int(Double(count) / secondsElapsed)) statements/s (\(count) in \(String(format: "%.2f", secondsElapsed)) s, \(checksum) compiled)")
    }
}
