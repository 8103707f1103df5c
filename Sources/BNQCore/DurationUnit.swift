/// The units of durations, in one place: the language's `90s`, `15m`, `2h`, `7d`, `1w`, `250ms`
/// and `bnq serve`'s `--latency 300ms` read them the same way (any case).
public enum DurationUnit {
    /// Seconds per unit of a suffix (`ms`, `s`, `sec`, `m`, `min`, `h`, `d`, `w`, `mo`); nil for anything else.
    @inlinable public static func scale<Bytes: Collection<UInt8>>(_ unit: Bytes) -> Double? {
        var lower: UInt64 = 0
        guard unit.count <= 3 else { return nil }
        for byte in unit { lower = lower << 8 | UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
        switch lower {
        case 0x73, 0x736563: return 1  // s, sec
        case 0x6D, 0x6D696E: return 60  // m, min
        case 0x68: return 3600  // h
        case 0x64: return 86_400  // d
        case 0x77: return 604_800  // w
        case 0x6D73: return 0.001  // ms
        case 0x6D6F: return 2_629_746  // mo: the average Gregorian month (30.436875 d); bin(t, 1mo) uses calendar months
        default: return nil
        }
    }

    /// The seconds `300ms`, `1.5s` or `2h` stand for; nil when the text is not a duration, or is
    /// negative or not finite.
    public static func seconds(in text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard let unitStart = bytes.firstIndex(where: { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }), unitStart > 0,
            let value = Double(String(decoding: bytes[..<unitStart], as: UTF8.self)), let scale = scale(bytes[unitStart...])
        else { return nil }
        let seconds = value * scale
        return seconds.isFinite && seconds >= 0 ? seconds : nil
    }
}
