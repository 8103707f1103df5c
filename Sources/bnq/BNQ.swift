import ArgumentParser
import BNQCore
import Foundation

@main
struct BNQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bnq",
        abstract: "A shell for exploring ByteNite jobs.",
        discussion: """
            bnq [FILE.bnq] [options]        runs a script, or opens the shell on a terminal
              -c STATEMENT                  run this statement and exit (repeatable)
              -f FILE, -                    run the statements in FILE (- : standard input)
              --format FORMAT               table, expanded, json, ndjson, csv, markdown, chart
              --csv, --json, --ndjson       short for --format csv / json / ndjson
              -t, --no-header               tables and csv without their header line
              --check FILE…                 check scripts offline (FILE:LINE:COL errors)
              --param NAME=VALUE            set $NAME; --now TIME pins now for the run
              --endpoint URL, --demo        the API to ask (no key: the built-in demo)
              --archive FILE                ask a local archive instead, offline
            bnq sync [--archive FILE] [--full] [--from FILE]
                                            keep the API's jobs in a local archive (SQLite)
            'bnq run --help' lists every option; 'bnq serve --help' the local service's.
            """,
        version: BNQ.version,
        subcommands: [RunCommand.self, SyncCommand.self, ServeCommand.self, GenerateCommand.self, BenchCompilerCommand.self],
        defaultSubcommand: RunCommand.self)

    /// The version `bnq --version` prints.
    static let version = "bnq 0.2.0"
}
