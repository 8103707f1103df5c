import BNQShell
import BNQTestSupport
import Foundation
import Testing

@Suite struct HistoryStoreTests {
    static func entry(_ text: String) -> HistoryStore.Entry {
        .init(text: text, at: Date().timeIntervalSince1970, durationMs: 1, endpoint: "test", rows: 0, ok: true, error: nil)
    }

    @Test func twoWritersAtOnceLoseNothing() async throws {
        let path = TestData.temporaryDirectory().appendingPathComponent("bnq/history.sqlite").path
        let first = try HistoryStore(path: path)
        let second = try HistoryStore(path: path)
        await withTaskGroup(of: Void.self) { group in
            for (name, store) in [("a", first), ("b", second)] {
                group.addTask {
                    for index in 0..<300 { try? store.record(Self.entry("\(name) \(index)")) }
                }
            }
        }
        let texts = try first.all().map(\.text)
        #expect(texts.count == 600)
        #expect(Set(texts).count == 600)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aCorruptFileIsMovedAsideWithAWarning() throws {
        let folder = TestData.temporaryDirectory().appendingPathComponent("bnq")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("history.sqlite").path
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path))
        var warnings: [String] = []
        let store = try HistoryStore(path: path, warn: { warnings.append($0) })
        #expect(warnings.count == 1 && warnings[0].contains("moved it to"))
        try store.record(Self.entry("count"))
        #expect(try store.all().map(\.text) == ["count"])
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(names.contains { $0.hasPrefix("history.sqlite.corrupt-") })
    }

    @Test func statementsFinishedBeforeKill9AreKept() async throws {
        let home = TestData.temporaryDirectory()
        let terminal = try PseudoTerminal(arguments: [], home: home)
        #expect(await terminal.waitFor("bnq demo> "))
        for state in ["NEW", "FAILED", "COMPLETE"] {
            let mark = terminal.screen.count
            terminal.type("count where state == \(state)\r")
            #expect(await terminal.waitFor("bnq demo> ", after: mark + 10))
        }
        #expect(terminal.process.isRunning)
        kill(terminal.process.processIdentifier, SIGKILL)
        // setsid execs bnq in place, so the process killed is bnq itself.
        _ = await terminal.waitForExit(timeout: 2)
        let store = try HistoryStore(path: home.appendingPathComponent("state/bnq/history.sqlite").path)
        #expect(try store.all().map(\.text) == ["count where state == NEW", "count where state == FAILED", "count where state == COMPLETE"])
    }

    static func mode(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
    }

    @Test func filesAndFolderArePrivateEvenWhenTheyWereNot() throws {
        let folder = TestData.temporaryDirectory().appendingPathComponent("bnq")
        let path = folder.appendingPathComponent("history.sqlite").path
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        do {
            let first = try HistoryStore(path: path)
            try first.record(Self.entry("jobs"))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        let store = try HistoryStore(path: path)
        try store.record(Self.entry("count"))
        #expect(Self.mode(folder.path) == 0o700)
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            #expect(Self.mode(file) == 0o600, "\(file)")
        }
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aSymbolicLinkAtTheHistoryPathIsNotFollowed() throws {
        let folder = TestData.temporaryDirectory()
        let target = folder.appendingPathComponent("precious.txt").path
        try "keep me".write(toFile: target, atomically: true, encoding: .utf8)
        let path = folder.appendingPathComponent("bnq/history.sqlite").path
        try FileManager.default.createDirectory(atPath: folder.appendingPathComponent("bnq").path, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        #expect(throws: HistoryStore.UnsafeLocation.self) { try HistoryStore(path: path) }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me")
    }
}
