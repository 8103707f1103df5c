import BNQCore
import Testing

/// The word-at-a-time table against a plain reference: a name matches exactly when its ASCII
/// letters lower-cased equal an entry's, whatever its length, and bytes around it never count.
@Suite struct CaseInsensitiveTableTests {
    /// Lower-cases ASCII capitals only (the reference `lowercased()` would be for ASCII names).
    static func folded(_ text: String) -> [UInt8] { text.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }

    static let names = [
        "", "a", "id", "state", "createdAt", "errorMessage", "templateInfo.app", "regions.whitelist", "templateInfo.description",
        "stateTimestamps", "a_b", "x1234567", "x12345678", "x123456789012345", "x1234567890123456", "x12345678901234567",
        "config.isTestJob", "ÉTAT", "naïve",
    ]

    @Test func findsEveryNameInAnyCaseAndNothingElse() {
        let table = CaseInsensitiveTable(Self.names.enumerated().map { ($1, $0) })
        var probes = Self.names
        for name in Self.names {
            probes += [name.uppercased(), name.lowercased(), String(name.dropLast()), name + "s", name + "_", "_" + name, name + "\u{7F}"]
            // Each byte in turn made a neighbour that `| 0x20` would confuse with it.
            for (index, byte) in name.utf8.enumerated() {
                var bytes = Array(name.utf8)
                bytes[index] = byte ^ 0x20
                probes.append(String(decoding: bytes, as: UTF8.self))
                bytes[index] = byte &+ 1
                probes.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        for probe in probes {
            let expected = Self.names.firstIndex { Self.folded($0) == Self.folded(probe) }
            #expect(table[probe] == expected, "\(probe.debugDescription)")
        }
    }

    @Test func readsANameInsideLongerTextByItsBoundsOnly() {
        let table = CaseInsensitiveTable(Self.names.enumerated().map { ($1, $0) })
        for name in Self.names where !name.isEmpty {
            for (before, after) in [("", ""), ("jobs where ", " == 1"), ("x", "templateInfo.app"), ("", "Z"), ("(", ")")] {
                let bytes = Array((before + name.uppercased() + after).utf8)
                let start = before.utf8.count
                let found = bytes.withUnsafeBufferPointer { table.value(in: $0, from: start, to: start + name.utf8.count) }
                // (`naïve` upper-cased is `NAÏVE`: its `Ï` is not an ASCII capital, so it is not found.)
                #expect(found == Self.names.firstIndex { Self.folded($0) == Self.folded(name.uppercased()) }, "\(name) in \(before)…\(after)")
            }
        }
    }

    @Test func theFirstOfTwoNamesDifferingInCaseIsKept() {
        let table = CaseInsensitiveTable([("Name", 1), ("NAME", 2), ("other", 3)])
        #expect(table["name"] == 1)
        #expect(table["OTHER"] == 3)
    }

    @Test func enumSpellingsAndFieldNamesUseIt() {
        #expect(EnumType.jobState.canonicalValue("failed") == "JOB_STATE_FAILED")
        #expect(EnumType.jobState.canonicalValue("Job_State_Complete") == "JOB_STATE_COMPLETE")
        #expect(EnumType.jobState.canonicalValue("FAILEDX") == nil)
        #expect(EnumType.jobState.canonicalValue("FAİLED") == nil)
        #expect(JobSchema.field(named: "TEMPLATEINFO.APP")?.path == "templateInfo.app")
        #expect(RecordSchema.jobs.field(named: "stateTimestamps.failed")?.path == "stateTimestamps.JOB_STATE_FAILED")
    }
}
