import ArgumentParser
import BNQArchive
import BNQCore
import BNQRunner
import Foundation

/// `bnq sync`: pulls the configured endpoint's jobs into a local archive (SQLite).
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Pull the configured endpoint's jobs into a local archive, for offline questions (bnq --archive).",
        discussion: """
            The first sync reads every job; later ones read what is new or may have changed. Each sync \
            is a snapshot: earlier versions of a job are kept ('jobs … as of SYNC', 'diff'). The archive \
            is a plain SQLite file (docs/archive.md), by default $XDG_DATA_HOME/bnq/archive.sqlite.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "The archive file (default $XDG_DATA_HOME/bnq/archive.sqlite; env BNQ_ARCHIVE, config 'archive').") var archive: String?
    @Flag(help: "Re-read every job (also finds finished jobs the service deleted).") var full = false
    @Option(name: .customLong("from"), help: "Import a JSON export (an array of jobs, or a saved GET /jobs response) instead of asking the API.") var from: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var user = UserConfiguration.load(environment: environment, profile: connection.profile ?? environment["BNQ_PROFILE"])
        let path = UserConfiguration.expandTilde(
            archive ?? environment["BNQ_ARCHIVE"].flatMap { $0.isEmpty ? nil : $0 } ?? user.archive ?? Archive.defaultPath(environment: environment),
            environment: environment)
        let pageSize = connection.pageSize ?? user.pageSize ?? 500
        var endpoints: Endpoints?
        var apiConnection: Connection?
        func close() async {
            await apiConnection?.close()
            await endpoints?.stop()
        }
        do {
            let source: any JobSource
            let endpoint: String
            if let from {
                source = try JobsFileSource(path: from)
                endpoint = "file:" + URL(fileURLWithPath: from).standardizedFileURL.path
            } else {
                let resolved = try connection.resolve(environment: environment, user: &user, pageSize: pageSize, now: Timestamp(secondsSince1970: Date().timeIntervalSince1970))
                endpoints = resolved.0
                apiConnection = resolved.1
                let opened = try await resolved.1.source()
                if let note = opened.note { FileHandle.standardError.write(Data((note + "\n").utf8)) }
                source = opened.source
                endpoint = resolved.1.identity
            }
            let store = try Archive(path: path, create: true)
            var syncer = ArchiveSyncer(source: source, archive: store, endpoint: endpoint)
            syncer.full = full || from != nil
            syncer.kind = from != nil ? "import" : nil
            syncer.pageSize = pageSize
            syncer.warn = { Terminal.note($0) }
            // Ctrl-C cancels the sync: its transaction is rolled back, the archive stays as it was.
            let settled = syncer
            let work = Task { try await settled.runShowingProgress() }
            signal(SIGINT, SIG_IGN)
            let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            interrupt.setEventHandler { work.cancel() }
            interrupt.resume()
            let outcome: ArchiveSyncer.Outcome
            do {
                outcome = try await work.value
                interrupt.cancel()
            } catch {
                interrupt.cancel()
                if work.isCancelled {
                    let last = (try? store.syncs().last).flatMap { $0 }.map { "sync \($0.id)" } ?? "no sync"
                    Terminal.error("interrupted: nothing was written; the archive is as it was (\(last))")
                    await close()
                    throw ExitCode(130)
                }
                throw error
            }
            print(outcome.summary)
            if outcome.tally.skipped > 0 { Terminal.note("warning: \(outcome.tally.skipped) job\(outcome.tally.skipped == 1 ? "" : "s") without an id could not be kept") }
        } catch let exit as ExitCode {
            await close()
            throw exit
        } catch {
            Terminal.error(Reporter.message(of: error).replacingOccurrences(of: "error: ", with: ""))
            await close()
            throw ExitCode(Reporter.status(of: error))
        }
        await close()
    }
}
