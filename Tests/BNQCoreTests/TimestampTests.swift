import BNQCore
import Testing

@Suite struct TimestampTests {
    @Test func parsesRFC3339WithOffsetsAndFractions() throws {
        let utc = try #require(Timestamp(rfc3339: "2026-01-31T12:00:00Z"))
        #expect(utc.seconds == 1_769_860_800)
        #expect(Timestamp(rfc3339: "2026-01-31T14:00:00+02:00") == utc)
        #expect(Timestamp(rfc3339: "2026-01-31 12:00:00Z") == utc)
        #expect(Timestamp(rfc3339: "2026-01-31T12:00:00.5Z")?.nanos == 500_000_000)
        #expect(Timestamp(rfc3339: "2026-01-31T12:00:00.123456789Z")?.nanos == 123_456_789)
    }

    @Test func aBareDateIsMidnightUTC() {
        #expect(Timestamp(rfc3339: "2026-01-31")?.rfc3339 == "2026-01-31T00:00:00Z")
    }

    @Test(arguments: ["2026-02-30", "2026-13-01", "2026-01-31T25:00:00Z", "2026-01-31T12:00:00+5", "yesterday", "2026-1-31", ""])
    func rejectsInvalidTimes(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func whatTablesShowReadsBackInUTC() throws {
        let shown = try #require(Timestamp(rfc3339: "2026-11-27T21:35:40.75Z")).shortDescription
        #expect(shown == "2026-11-27 21:35:40")
        #expect(Timestamp(rfc3339: shown) == Timestamp(rfc3339: "2026-11-27T21:35:40Z"))
        #expect(Timestamp(rfc3339: "2026-11-27T21:35:40") == Timestamp(rfc3339: "2026-11-27T21:35:40Z"))
    }

    @Test func formatsAndRoundTrips() {
        for text in ["1970-01-01T00:00:00Z", "2000-02-29T23:59:59.25Z", "1969-12-31T23:59:59Z", "2026-11-29T01:02:03.000000001Z"] {
            #expect(Timestamp(rfc3339: text)?.rfc3339 == text)
        }
    }

    @Test func arithmeticAndDays() throws {
        let t = try #require(Timestamp(rfc3339: "2026-03-01T00:00:10Z"))
        #expect(t.adding(seconds: -20).rfc3339 == "2026-02-28T23:59:50Z")
        #expect(t.startOfUTCDay.rfc3339 == "2026-03-01T00:00:00Z")
        #expect(t.shortDescription == "2026-03-01 00:00:10")
    }
}
