/// The body of `POST /jobs/filter` (the contract's `customerGetAllJobsRequest`) as plain values:
/// pagination, filters `{field, condition, value}` and orderBy.
///
/// The compiler produces it without touching the wire types, so the language stays pure and
/// cheap; the client turns it into the generated request when it sends it, and `json` is the
/// exact body that goes over the wire (what `explain` shows).
public struct JobsRequest: Sendable, Hashable {
    public struct Pagination: Sendable, Hashable {
        public var limit: Int64?
        public var offset: Int64?

        public init(limit: Int64? = nil, offset: Int64? = nil) {
            self.limit = limit
            self.offset = offset
        }
    }

    /// One `commonFilter`: the value is sent as a protobuf `Any` (see `ProtobufAny`).
    public struct Filter: Sendable, Hashable {
        public var field: String
        public var condition: FilterCondition
        public var value: FilterOperand

        public init(field: String, condition: FilterCondition, value: FilterOperand) {
            self.field = field
            self.condition = condition
            self.value = value
        }
    }

    public var pagination: Pagination?
    public var filters: [Filter]?
    public var orderBy: String?

    public init(pagination: Pagination? = nil, filters: [Filter]? = nil, orderBy: String? = nil) {
        self.pagination = pagination
        self.filters = filters
        self.orderBy = orderBy
    }

    /// The request body as JSON, in the contract's member order.
    public var json: JSONValue {
        var object = JSONObject()
        if let pagination {
            var page = JSONObject()
            if let limit = pagination.limit { page["limit"] = .int(limit) }
            if let offset = pagination.offset { page["offset"] = .int(offset) }
            object["pagination"] = .object(page)
        }
        if let filters {
            object["filters"] = .array(filters.map { filter in
                .object(JSONObject([
                    ("field", .string(filter.field)), ("condition", .string(filter.condition.rawValue)),
                    ("value", ProtobufAny.encode(filter.value)),
                ]))
            })
        }
        if let orderBy { object["orderBy"] = .string(orderBy) }
        return .object(object)
    }
}
