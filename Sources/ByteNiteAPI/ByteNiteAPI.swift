/// The types of the ByteNite jobs read API, generated at build time from `openapi.json`
/// (the four OpenAPI documents of the contract, merged by `scripts/merge-openapi.py`).
///
/// `Components.Schemas.JobJob`, `Components.Schemas.CustomerGetAllJobsRequest` and the rest are
/// shared by the client (`ByteNiteClient`), the local service (`BNQService`) and the compiler
/// (`BNQLanguage`), so that all three follow the same contract.
public enum ByteNiteAPIContract {
    /// The API's documented base URL.
    public static let defaultBaseURL = "https://api.bytenite.com/v1/customer"
}
