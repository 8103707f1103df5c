import ArgumentParser

/// Runs statements: one-shot (`-c`), from files, from standard input, or the interactive shell.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run statements (the default).")
    func run() async throws {}
}
