// The types of the ByteNite jobs read API, generated at build time from `openapi.json`
// (the four OpenAPI documents of the contract, merged by `scripts/merge-openapi.py`).
//
// `Components.Schemas.JobJob`, `Components.Schemas.CustomerGetAllJobsRequest` and the rest are
// shared by the client (`ByteNiteClient`) and the local service (`BNQService`), so that both
// follow the same contract; neither exposes them in its public API.
