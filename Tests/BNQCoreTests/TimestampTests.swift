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

    @Test func aTimeWithoutAZoneIsReadInTheZoneGiven() throws {
        let plusOne = TimeZoneRule(name: "Test/PlusOne") { _ in 3600 }
        let shown = try #require(Timestamp(rfc3339: "2026-11-27T21:35:40Z"))
        #expect(shown.shortDescription(in: plusOne) == "2026-11-27 22:35:40")
        // What the table shows reads back as the same instant; a zone in the text wins.
        #expect(Timestamp(rfc3339: "2026-11-27 22:35:40", zone: plusOne) == shown)
        #expect(Timestamp(rfc3339: "2026-11-27T22:35:40", zone: plusOne) == shown)
        #expect(Timestamp(rfc3339: "2026-11-27T21:35:40Z", zone: plusOne) == shown)
        #expect(Timestamp(rfc3339: "2026-11-27 22:35:40", zone: .utc)?.rfc3339 == "2026-11-27T22:35:40Z")
        // A date is midnight in the zone, and so is the start of a day.
        #expect(Timestamp(rfc3339: "2026-11-28", zone: plusOne)?.rfc3339 == "2026-11-27T23:00:00Z")
        #expect(shown.startOfDay(in: plusOne).rfc3339 == "2026-11-26T23:00:00Z")
        #expect(Timestamp(rfc3339: "2026-11-27T23:30:00Z")!.startOfDay(in: plusOne).rfc3339 == "2026-11-27T23:00:00Z")
        #expect(Timestamp(rfc3339: "2026-11-27 25:00:00", zone: plusOne) == nil)
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

    @Test func aTimeFromSecondsIsKeptToTheMicrosecond() throws {
        // What a min or max of times gives back: the time as written, not the double's noise.
        for text in ["2026-11-27T14:50:26.364Z", "2026-08-30T04:26:26.65Z", "1999-12-31T23:59:59.000001Z", "2026-01-01T00:00:00Z", "1969-07-20T20:17:40.5Z"] {
            let time = try #require(Timestamp(rfc3339: text))
            #expect(Timestamp(secondsSince1970: time.secondsSince1970).rfc3339 == text)
        }
        // A fraction that rounds up to a whole second carries into the seconds.
        #expect(Timestamp(secondsSince1970: 1_764_000_000.999_999_8).rfc3339 == Timestamp(seconds: 1_764_000_001).rfc3339)
        #expect(Timestamp(secondsSince1970: -0.000_000_1) == Timestamp(seconds: 0))
        #expect(Timestamp(secondsSince1970: .infinity) == .latest)
        #expect(Timestamp(secondsSince1970: Double(Timestamp.latest.seconds) + 0.999_999_9) <= .latest)
    }

    @Test func arithmeticAndDays() throws {
        let t = try #require(Timestamp(rfc3339: "2026-03-01T00:00:10Z"))
        #expect(t.adding(seconds: -20).rfc3339 == "2026-02-28T23:59:50Z")
        #expect(t.startOfUTCDay.rfc3339 == "2026-03-01T00:00:00Z")
        #expect(t.shortDescription == "2026-03-01 00:00:10")
    }
}
