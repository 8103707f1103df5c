import ArgumentParser
import BNQCore
import Foundation

@main
struct BNQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bnq",
        abstract: "A shell for exploring ByteNite jobs.",
        version: BNQ.version,
        subcommands: [RunCommand.self, ServeCommand.self, GenerateCommand.self, BenchCompilerCommand.self],
        defaultSubcommand: RunCommand.self)

    /// The version `bnq --version` prints.
    static let version = "bnq 0.2.0"
}
