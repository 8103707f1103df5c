/// The routes of the jobs read API, under an endpoint's base path, as `explain` shows them.
/// The client and the service send and serve these through code generated from `openapi.json`;
/// this is the one hand-written copy, and a test holds it to the contract's `paths`.
public enum APIRoute: CaseIterable, Sendable {
    /// `GET /jobs`: every job, paged.
    case jobs
    /// `POST /jobs/filter`: jobs matching filters, paged.
    case filter
    /// `GET /jobs/{jobId}`: one job.
    case job
    /// `GET /jobs/{jobId}/results`: a job's result files.
    case results

    public var method: String { self == .filter ? "POST" : "GET" }

    /// The path template, as the contract writes it.
    public var template: String {
        switch self {
        case .jobs: return "/jobs"
        case .filter: return "/jobs/filter"
        case .job: return "/jobs/{jobId}"
        case .results: return "/jobs/{jobId}/results"
        }
    }

    /// The path for a job id (percent-encoded), or the template's own path.
    public func path(jobID: String? = nil) -> String {
        guard let jobID else { return template }
        switch self {
        case .job: return "/jobs/" + Self.percentEncoded(jobID)
        case .results: return "/jobs/" + Self.percentEncoded(jobID) + "/results"
        case .jobs, .filter: return template
        }
    }

    /// `text` with everything but unreserved characters percent-encoded (RFC 3986).
    public static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || "-._~".utf8.contains(byte) {
                result.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return result
    }
}
