import ArgumentParser
import BNQCore
import Foundation

@main
struct BNQ: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bnq",
        abstract: "A shell for exploring ByteNite jobs.",
        subcommands: [RunCommand.self, ServeCommand.self, GenerateCommand.self, BenchCompilerCommand.self],
        defaultSubcommand: RunCommand.self)
}
