import Foundation

/// Takes secrets out of text that came from a server (an error body that echoes the request's
/// `Authorization` header or the API key) before anyone sees it or it is kept in history.
enum Redaction {
    static let markers = ["authorization", "bearer", "apikey", "api_key", "token"]

    static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where secret.count >= 4 {
            result = result.replacingOccurrences(of: secret, with: "<redacted>")
        }
        // The value after a name such as `Authorization: …`, `"apiKey":"…"` or `Bearer …`.
        var output = ""
        var rest = Substring(result)
        while let found = markers.compactMap({ rest.range(of: $0, options: .caseInsensitive) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            output += rest[..<found.upperBound]
            var index = found.upperBound
            // What joins a name to its value: quotes, a colon or an equals sign, spaces. Only
            // `Bearer` takes a value after a space alone; `token or key` is prose, not a value.
            var joiner = ""
            while index < rest.endIndex, "\"': =".contains(rest[index]) { joiner.append(rest[index]); index = rest.index(after: index) }
            output += joiner
            let isBearer = rest[found].lowercased() == "bearer"
            guard isBearer ? joiner == " " : (joiner.contains(":") || joiner.contains("=")) else {
                rest = rest[index...]
                continue
            }
            var end = index
            while end < rest.endIndex, !" \"',;}\n".contains(rest[end]) { end = rest.index(after: end) }
            let value = rest[index..<end]
            output += value.isEmpty || value == "<redacted>" ? String(value) : "<redacted>"
            rest = rest[end...]
        }
        return output + rest
    }
}
