import BNQCore
import BNQRunner
import BNQTestSupport
import Foundation
import Testing

/// The config file: profiles, comments, and every unusable setting an error that names its line.
@Suite struct UserConfigurationTests {
    /// The configuration `text` gives for `profile`, read from a private XDG folder.
    static func load(_ text: String, profile: String? = nil) throws -> UserConfiguration {
        let home = TestData.temporaryDirectory()
        let folder = home.appendingPathComponent("config/bnq")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try text.write(to: folder.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        return UserConfiguration.load(environment: ["HOME": home.path, "XDG_CONFIG_HOME": home.appendingPathComponent("config").path], profile: profile)
    }

    @Test func profilesOverrideTheDefaultAndCommentsNeedASpaceBefore() throws {
        let text = """
            # the default
            endpoint = https://api.example.com/v1/customer#frag   # a comment
            format = csv
            page_size = 250

            [profile staging]
            endpoint = https://staging.example.com/v1/customer
            """
        let base = try Self.load(text)
        #expect(base.endpoint == "https://api.example.com/v1/customer#frag")
        #expect(base.format == "csv" && base.pageSize == 250 && base.errors.isEmpty)
        let staging = try Self.load(text, profile: "staging")
        #expect(staging.endpoint == "https://staging.example.com/v1/customer" && staging.format == "csv")
    }

    @Test func unusableSettingsAreErrorsWithTheirLine() throws {
        let configuration = try Self.load("format = yaml\npage_size = lots\n[profile broken\nnonsense\n")
        #expect(configuration.errors.count == 4)
        #expect(configuration.errors[0].hasSuffix("config:1: unknown format 'yaml'; use one of table, expanded, json, ndjson, csv, markdown, chart"))
        #expect(configuration.errors[1].contains("config:2: page_size must be a whole number from 1 to 1000"))
        #expect(configuration.errors[2].contains("config:3: a section is written [profile NAME]"))
        #expect(configuration.errors[3].contains("config:4: expected 'name = value'"))
        let missing = try Self.load("format = table\n", profile: "nosuch").errors
        #expect(missing.count == 1 && missing[0].hasPrefix("profile 'nosuch' not found in "))
    }

    @Test func anUnreadableKeyFileIsAnErrorNamingWhereItWasSet() throws {
        var configuration = try Self.load("\nkey_file = /nonexistent/key\n")
        #expect(configuration.readKeyFile() == nil)
        #expect(configuration.errors.count == 1 && configuration.errors[0].contains("/nonexistent/key (key_file at ") && configuration.errors[0].hasSuffix("config:2)"))
    }

    @Test func aTimeZoneIsNamedOrAnError() throws {
        #expect(try Self.load("time_zone = Europe/Berlin\n").timeZone == "Europe/Berlin")
        let wrong = try Self.load("\n time_zone = Mars/Olympus\n")
        #expect(wrong.errors.count == 1)
        #expect(wrong.errors.first?.hasSuffix("config:2: unknown time zone 'Mars/Olympus'; use local, UTC or a name such as Europe/Berlin") == true)
        #expect(TimeZoneRule.named("utc")?.isUTC == true)
        #expect(TimeZoneRule.named("local") != nil)
        #expect(TimeZoneRule.named("Nowhere") == nil)
    }

    @Test func everyTimeShownInAZoneReadsBackAsTheSameInstant() throws {
        let berlin = try #require(TimeZoneRule.named("Europe/Berlin"))
        // Winter (+1) and summer (+2).
        #expect(Timestamp(rfc3339: "2026-01-15T12:00:00Z")!.shortDescription(in: berlin) == "2026-01-15 13:00:00")
        #expect(Timestamp(rfc3339: "2026-07-15T12:00:00Z")!.shortDescription(in: berlin) == "2026-07-15 14:00:00")
        // Every half hour of 2026: shown, then typed back. Only the hour the clocks repeat in
        // October is ambiguous; it reads as the first of the two.
        let start = Timestamp(rfc3339: "2026-01-01T00:00:00Z")!.seconds
        var ambiguous = 0
        for step in 0..<(365 * 48) {
            let instant = Timestamp(seconds: start + Int64(step) * 1800)
            let back = try #require(Timestamp(rfc3339: instant.shortDescription(in: berlin), zone: berlin))
            if back != instant {
                ambiguous += 1
                #expect(back.seconds == instant.seconds - 3600, "\(instant.rfc3339) read back as \(back.rfc3339)")
            }
        }
        #expect(ambiguous == 2)
        // The hour that does not exist in March reads with the offset before the change.
        #expect(Timestamp(rfc3339: "2026-03-29 02:30:00", zone: berlin)?.rfc3339 == "2026-03-29T01:30:00Z")
    }
}
