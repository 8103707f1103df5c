import BNQCore
import BNQService
import BNQTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What `bnq serve` answers at the edges of the contract, over real HTTP (schemathesis found these).
@Suite struct ServiceProtocolTests {
    static func send(_ method: String, _ url: String, body: String? = nil) async throws -> (status: Int, headers: [AnyHashable: Any], body: JSONValue?) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return (http.statusCode, http.allHeaderFields, try? JSONParser.parse(Array(data)))
    }

    @Test func requestBodiesInTheGatewayFormAreRead() async throws {
        try await withService { service, _ in
            let base = service.baseURL
            let strings = try await Self.send("POST", base + "/jobs/filter", body: #"{"pagination":{"offset":"5","limit":"2"}}"#)
            #expect(strings.status == 200)
            #expect(strings.body?["pagination"]?["offset"]?.int64Value == 5)
            #expect(strings.body?["data"]?.arrayValue?.count == 2)
            // A condition by its number (8: FILTER_CONDITION_IN), as protobuf JSON allows.
            let numbered = try await Self.send(
                "POST", base + "/jobs/filter",
                body: #"{"filters":[{"field":"state","condition":8,"value":{"@type":"type.googleapis.com/google.protobuf.ListValue","value":["JOB_STATE_FAILED"]}}],"pagination":{"limit":"1000"}}"#)
            #expect(numbered.status == 200)
            let expected = TestData.jobs.filter { $0["state"] == "JOB_STATE_FAILED" }.count
            #expect(numbered.body?["pagination"]?["total"]?.int64Value == Int64(expected))
        }
    }

    @Test func timesAtTheEdgesOfWhatRFC3339WritesComeBackInRange() async throws {
        var jobs = Array(TestData.jobs.prefix(3))
        let written = ["9999-12-31T23:59:59.999999999Z", "0001-01-01T00:00:00Z", "2026-01-01T00:00:00.9999Z"]
        for (index, time) in written.enumerated() { jobs[index].setValue(.string(time), at: ["createdAt"]) }
        try await withService(jobs: jobs) { service, _ in
            let listed = try await Self.send("GET", service.baseURL + "/jobs?orderBy=createdAt")
            let times = listed.body?["data"]?.arrayValue?.compactMap { $0["createdAt"]?.stringValue } ?? []
            // Read through a double: kept to the microsecond, and the last instant of 9999 is not
            // rounded up into a year RFC 3339 cannot write.
            #expect(times == ["0001-01-01T00:00:00Z", "2026-01-01T00:00:00.9999Z", "9999-12-31T23:59:59.999999999Z"], "\(times)")
        }
    }

    @Test func aMethodARouteDoesNotTakeIs405WithAllow() async throws {
        try await withService { service, _ in
            let base = service.baseURL
            for (method, path, allow) in [("TRACE", "/jobs", "GET"), ("DELETE", "/jobs/filter", "POST"), ("PUT", "/jobs/abc", "GET"), ("POST", "/jobs/abc/results", "GET")] {
                let answer = try await Self.send(method, base + path)
                #expect(answer.status == 405, "\(method) \(path)")
                #expect(answer.headers["Allow"] as? String == allow, "\(method) \(path)")
                #expect(answer.body?["message"]?.stringValue?.contains("use \(allow)") == true)
            }
            // GET /jobs/filter is GET /jobs/{jobId} with the id "filter": a 404, not a 405.
            #expect(try await Self.send("GET", base + "/jobs/filter").status == 404)
            #expect(try await Self.send("GET", base + "/no/such/route").status == 404)
        }
    }

    @Test func nullWhereTheContractSaysIntegerIsA400() async throws {
        try await withService { service, _ in
            let url = service.baseURL + "/jobs/filter"
            for (body, named) in [
                (#"{"pagination": {"limit": 5, "offset": null}}"#, "pagination.offset"),
                (#"{"filters": [null]}"#, "filters[0]"),
                (#"{"filters": [{"field": "state", "condition": null}]}"#, "filters[0].condition"),
                (#"{"orderBy": null}"#, "orderBy"),
            ] {
                let answer = try await Self.send("POST", url, body: body)
                #expect(answer.status == 400, "\(body)")
                #expect(answer.body?["message"]?.stringValue?.hasPrefix(named) == true, "\(body)")
            }
            let fine = try await Self.send("POST", url, body: #"{"pagination": {"limit": 2}}"#)
            #expect(fine.status == 200 && fine.body?["data"]?.arrayValue?.count == 2)
        }
    }
}
