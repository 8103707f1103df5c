import BNQCore
import Foundation

/// `$XDG_CONFIG_HOME/bnq/config` (default `~/.config/bnq/config`): settings by profile.
///
///     # the default profile
///     endpoint = https://api.bytenite.com/v1/customer
///     key_file = ~/.config/bnq/key
///     format = table
///     page_size = 500
///     editing_mode = vi
///     time_zone = Europe/Berlin
///
///     [profile staging]
///     endpoint = https://staging.example.com/v1/customer
///
/// Lines are `name = value`; `#` starts a comment. `--profile NAME` or `BNQ_PROFILE` picks a
/// profile; its settings override the default profile's. `bnqrc` in the same folder holds
/// statements the interactive shell runs at start.
public struct UserConfiguration: Sendable, Equatable {
    public var endpoint: String?
    public var keyFile: String?
    /// Where `key_file` was set (`FILE:LINE`), for messages about it.
    public var keyFileOrigin: String?
    public var apiKey: String?
    public var format: String?
    public var pageSize: Int64?
    public var editingMode: String?
    /// `archive = FILE`: statements read this archive instead of the API.
    public var archive: String?
    /// `time_zone = local|UTC|Area/City`: the zone times are shown and typed in.
    public var timeZone: String?
    /// Problems found while reading (unknown settings, unsafe file modes).
    public var warnings: [String] = []
    /// Problems that make the configuration unusable (a bad value, a key file that cannot be read):
    /// bnq stops rather than run with something else than what was configured.
    public var errors: [String] = []

    public init() {}

    /// The folder: `$XDG_CONFIG_HOME/bnq`, else `~/.config/bnq`.
    public static func folder(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/bnq"
    }

    /// Reads the config file for `profile` (nil: the default profile). A missing file is an empty configuration.
    public static func load(environment: [String: String], profile: String?) -> UserConfiguration {
        var configuration = UserConfiguration()
        let path = folder(environment: environment) + "/config"
        guard let data = FileManager.default.contents(atPath: path) else {
            if let profile { configuration.errors.append("profile '\(profile)' not found: there is no \(path)") }
            return configuration
        }
        var section: String?
        var foundProfile = profile == nil
        for (number, rawLine) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Self.withoutComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("["), !line.hasSuffix("]") {
                configuration.errors.append("\(path):\(number + 1): a section is written [profile NAME], not '\(line)'")
                continue
            }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                section = name.hasPrefix("profile ") ? String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces) : name
                if section == profile { foundProfile = true }
                continue
            }
            // The default profile's settings apply to all; the chosen profile's override them.
            guard section == nil || section == "default" || section == profile else { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else {
                configuration.errors.append("\(path):\(number + 1): expected 'name = value', not '\(line)'")
                continue
            }
            let value = parts[1].count >= 2 && parts[1].hasPrefix("\"") && parts[1].hasSuffix("\"") ? String(parts[1].dropFirst().dropLast()) : parts[1]
            switch parts[0].lowercased() {
            case "endpoint": configuration.endpoint = value
            case "key_file":
                configuration.keyFile = expandTilde(value, environment: environment)
                configuration.keyFileOrigin = "\(path):\(number + 1)"
            case "api_key":
                configuration.apiKey = value
                if let problem = unsafeModeProblem(path) { configuration.warnings.append(problem) }
            case "format":
                guard OutputFormat(rawValue: value.lowercased()) != nil else {
                    configuration.errors.append("\(path):\(number + 1): unknown format '\(value)'; use one of \(OutputFormat.names)")
                    continue
                }
                configuration.format = value.lowercased()
            case "page_size":
                guard let size = Int64(value), (1...1000).contains(size) else {
                    configuration.errors.append("\(path):\(number + 1): page_size must be a whole number from 1 to 1000, not '\(value)'")
                    continue
                }
                configuration.pageSize = size
            case "editing_mode": configuration.editingMode = value
            case "archive": configuration.archive = value
            case "time_zone", "timezone":
                guard TimeZoneRule.named(value) != nil else {
                    configuration.errors.append("\(path):\(number + 1): unknown time zone '\(value)'; use local, UTC or a name such as Europe/Berlin")
                    continue
                }
                configuration.timeZone = value
            default: configuration.warnings.append("\(path):\(number + 1): unknown setting '\(parts[0])'")
            }
        }
        if !foundProfile, let profile { configuration.errors.append("profile '\(profile)' not found in \(path)") }
        return configuration
    }

    /// The API key from the key file, with a warning when the file is readable by others.
    public mutating func readKeyFile() -> String? {
        guard let keyFile else { return nil }
        guard let data = FileManager.default.contents(atPath: keyFile) else {
            // A configured key that cannot be read must not fall back to the demo data: the user
            // would think they see their account.
            errors.append("cannot read the key file \(keyFile) (key_file at \(keyFileOrigin ?? "the config"))")
            return nil
        }
        if let problem = Self.unsafeModeProblem(keyFile) { warnings.append(problem) }
        let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return key.isEmpty ? nil : key
    }

    /// A warning when a file holding a key can be read by group or others.
    public static func unsafeModeProblem(_ path: String) -> String? {
        guard let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o077 != 0 else { return nil }
        return "\(path) holds an API key but can be read by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)"
    }

    /// A line without its comment: `#` starts one at the start of a line or after white space,
    /// so a value such as `key#1` or a URL fragment keeps its `#`.
    static func withoutComment(_ line: String) -> String {
        var previous: Character = " "
        for index in line.indices {
            if line[index] == "#", previous == " " || previous == "\t" { return String(line[..<index]) }
            previous = line[index]
        }
        return line.hasSuffix("\r") ? String(line.dropLast()) : line
    }

    public static func expandTilde(_ path: String, environment: [String: String]) -> String {
        path.hasPrefix("~/") ? (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst() : path
    }
}
