#!/usr/bin/env python3
"""Merge the four OpenAPI documents of the ByteNite jobs read API into one.

Usage: scripts/merge-openapi.py [SEED.md] > Sources/ByteNiteAPI/openapi.json

The seed (../shared/seed/bytenite-jobs-read-api.md) holds one OpenAPI 3.1.1
document per endpoint, each in a ```json block; they share their schemas.
Schemas with the same name must be identical: a conflict is an error.
"""
import json, re, sys

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/seed/bytenite-jobs-read-api.md"
text = open(path, encoding="utf-8").read()
docs = [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", text, re.S)]
if len(docs) != 4:
    sys.exit(f"expected 4 OpenAPI documents in {path}, found {len(docs)}")

merged = {k: docs[0][k] for k in ("openapi", "info", "tags", "servers", "security")}
merged["components"] = {"securitySchemes": docs[0]["components"]["securitySchemes"], "schemas": {}}
merged["paths"] = {}
for doc in docs:
    for name, schema in doc["components"]["schemas"].items():
        known = merged["components"]["schemas"].get(name)
        if known is not None and known != schema:
            sys.exit(f"schema {name} differs between documents")
        merged["components"]["schemas"][name] = schema
    for route, item in doc["paths"].items():
        merged["paths"].setdefault(route, {}).update(item)

merged["components"]["schemas"] = dict(sorted(merged["components"]["schemas"].items()))
merged["paths"] = dict(sorted(merged["paths"].items()))
json.dump(merged, sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write("\n")
