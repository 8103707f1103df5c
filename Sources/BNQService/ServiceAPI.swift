import BNQCore
import ByteNiteAPI
import OpenAPIRuntime

/// The four read endpoints of the contract, implemented on the generated server protocol so that
/// the service cannot drift from `openapi.json`. Semantics are documented in docs/service.md.
struct ServiceAPI: APIProtocol {
    let store: JobStore

    /// Used when a request gives no limit (or 0).
    static let defaultPageSize = 100
    /// The largest page; larger limits are reduced to it.
    static let maximumPageSize = 1000

    enum Rejection: Error { case badRequest(String) }

    func customerGetAll(_ input: Operations.CustomerGetAll.Input) async throws -> Operations.CustomerGetAll.Output {
        do {
            let page = try answer(filters: [], orderBy: input.query.orderBy, limit: input.query.pagination_limit, offset: input.query.pagination_offset)
            return .ok(.init(body: .json(page)))
        } catch Rejection.badRequest(let message) {
            return .badRequest(.init(body: .json(RPCStatus.container(code: RPCStatus.invalidArgument, message: message))))
        }
    }

    func customerGetAllFiltered(_ input: Operations.CustomerGetAllFiltered.Input) async throws -> Operations.CustomerGetAllFiltered.Output {
        guard case .json(let request) = input.body else {
            return .badRequest(.init(body: .json(RPCStatus.container(code: RPCStatus.invalidArgument, message: "the request body must be JSON"))))
        }
        do {
            var filters: [JobFilter] = []
            for (index, filter) in (request.filters ?? []).enumerated() {
                filters.append(try Self.resolve(filter, index: index))
            }
            let page = try answer(filters: filters, orderBy: request.orderBy, limit: request.pagination?.limit, offset: request.pagination?.offset)
            return .ok(.init(body: .json(page)))
        } catch Rejection.badRequest(let message) {
            return .badRequest(.init(body: .json(RPCStatus.container(code: RPCStatus.invalidArgument, message: message))))
        }
    }

    func customerGetJob(_ input: Operations.CustomerGetJob.Input) async throws -> Operations.CustomerGetJob.Output {
        guard let position = store.position(id: input.path.jobId) else {
            return .notFound(.init(body: .json(RPCStatus.container(code: RPCStatus.notFound, message: "job \(input.path.jobId) not found"))))
        }
        let job = try store.typed([position])[0]
        return .ok(.init(body: .json(.init(job: job, templateInfo: job.templateInfo))))
    }

    func customerGetJobResults(_ input: Operations.CustomerGetJobResults.Input) async throws -> Operations.CustomerGetJobResults.Output {
        guard let json = store.job(id: input.path.jobId) else {
            return .notFound(.init(body: .json(RPCStatus.container(code: RPCStatus.notFound, message: "job \(input.path.jobId) not found"))))
        }
        return .ok(.init(body: .json(.init(results: Self.results(of: json)))))
    }

    /// Results exist once a job is complete: one file per chunk group, linked under its destination.
    static func results(of job: JSONValue) -> [Components.Schemas.JobsJobResult] {
        guard job["state"]?.stringValue == "JOB_STATE_COMPLETE", let id = job["id"]?.stringValue else { return [] }
        let chunks = max(1, Int(job["numChunks"]?.int64Value ?? 1))
        let files = min(3, (chunks + 15) / 16)
        let extensionName = (job["templateInfo"]?["assembler"]?.stringValue ?? "").contains("zip") ? "zip" : "out"
        return (1...files).map { part in
            let name = "result-\(part).\(extensionName)"
            return .init(name: name, link: "https://storage.bytenite.local/results/\(id)/\(name)")
        }
    }

    static func resolve(_ filter: Components.Schemas.CommonFilter, index: Int) throws -> JobFilter {
        let where_ = "filters[\(index)]"
        guard let field = filter.field, !field.isEmpty else { throw Rejection.badRequest("\(where_): missing 'field'") }
        let condition = FilterCondition(rawValue: (filter.condition ?? .filterConditionEq).rawValue) ?? .eq
        guard let value = filter.value else { throw Rejection.badRequest("\(where_): missing 'value'") }
        let operand: FilterOperand
        switch ProtobufAny.decode(value.json) {
        case .success(let decoded): operand = decoded
        case .failure(let error): throw Rejection.badRequest("\(where_): \(error.message)")
        }
        switch JobFilter.resolve(field: field, condition: condition, operand: operand) {
        case .success(let resolved): return resolved
        case .failure(let error): throw Rejection.badRequest("\(where_): \(error.message)")
        }
    }

    func answer(filters: [JobFilter], orderBy: String?, limit: Int64?, offset: Int64?) throws -> Components.Schemas.JobsJobsResponse {
        let limit = limit ?? 0
        let offset = offset ?? 0
        guard limit >= 0 else { throw Rejection.badRequest("pagination.limit must not be negative (got \(limit))") }
        guard offset >= 0 else { throw Rejection.badRequest("pagination.offset must not be negative (got \(offset))") }
        var ordering = JobOrdering.defaultOrdering
        if let orderBy, !orderBy.trimmingCharacters(in: .whitespaces).isEmpty {
            switch JobOrdering.parse(orderBy) {
            case .success(let parsed): ordering = parsed
            case .failure(let error): throw Rejection.badRequest(error.message)
            }
        }
        let pageSize = limit == 0 ? Self.defaultPageSize : min(Int(limit), Self.maximumPageSize)
        let clampedOffset = Int(min(offset, Int64(Int32.max)))
        let (page, total) = store.queryPositions(filters: filters, ordering: ordering, offset: clampedOffset, limit: pageSize)
        let jobs = try store.typed(page)
        return .init(
            pagination: .init(
                total: Int64(total), offset: Int64(clampedOffset),
                hasPrevious: clampedOffset > 0 && total > 0,
                hasNext: clampedOffset + page.count < total),
            data: jobs)
    }
}
