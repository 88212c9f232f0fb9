import { API_SCOPES, WEBHOOK_EVENTS } from "../../db/schema";

/**
 * The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json and rendered at
 * /api/v1/docs. Written next to the handlers (server/api/router.ts); tests/integration/
 * api-openapi.test.ts validates it against the 3.1 schema and calls every operation in it.
 */

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

const fallbackHeader = {
  "X-Quorum-Fallback": {
    description:
      "Present when a segment's latest materialisation failed: the answer is the last good version. One entry per such segment: `segment=<id>; serving-version=<n>; failed-version=<m>`, comma-separated.",
    schema: { type: "string" },
  },
};

const common = {
  "401": error("The Authorization header is missing, or the key is not valid or has been revoked."),
  "403": error("The key does not have the scope this operation needs."),
  "429": {
    description: "The key made too many requests this minute.",
    headers: { "Retry-After": { description: "Seconds until the key may call again.", schema: { type: "integer" } } },
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  },
};

const segmentIdParam = { name: "segmentId", in: "path", required: true, description: "The segment's id.", schema: { type: "string", format: "uuid" } };
const externalIdParam = {
  name: "externalId",
  in: "path",
  required: true,
  description: "The customer's id in your systems (the customer_id column of the imports).",
  schema: { type: "string", minLength: 1, maxLength: 200 },
};
const limitParam = { name: "limit", in: "query", required: false, description: "Page size (1–10,000; default 1,000).", schema: { type: "integer", minimum: 1, maximum: 10000, default: 1000 } };
const cursorParam = {
  name: "cursor",
  in: "query",
  required: false,
  description: "The `nextCursor` of the previous page. It pins the version the first page read, so every member of that version is returned exactly once even if a new version is published meanwhile.",
  schema: { type: "string" },
};

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Quorum operational API",
    version: "1.0.0",
    summary: "Segment membership for downstream systems: CRMs, email tools, websites.",
    description: [
      "Read which published segments a customer is in, list segments and their members, follow what changed since a version or a time, and record customers' consent.",
      "",
      "**Authentication.** Every operation except this description needs an API key of the workspace (Settings → API), sent as `Authorization: Bearer qk_…`. Keys have scopes: `memberships:read` (segments, members, changes), `exports:read` (members as CSV), `consent:write` (consent). A key is shown once when it is created; Quorum keeps only its SHA-256.",
      "",
      "**Rate limits.** Each key may make a configured number of requests a minute on each server instance (6,000 by default). Over the limit the answer is 429 with `Retry-After` in seconds.",
      "",
      "**Errors** are JSON: `{\"error\": {\"code\": \"NOT_FOUND\", \"message\": \"…\"}}`, with a message that says what was wrong.",
      "",
      "**Fallback.** If a segment's latest materialisation failed, answers carry the last good version and the `X-Quorum-Fallback` header.",
      "",
      "**Webhooks.** Endpoints registered in Settings → API receive `POST`s with a JSON body `{id, type, createdAt, data}` for the events " +
        WEBHOOK_EVENTS.map((e) => `\`${e}\``).join(", ") +
        ". Each is signed: `X-Quorum-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + \".\" + raw body)>`; recompute it with the endpoint's secret and refuse timestamps more than 5 minutes old. Any 2xx answer is a success; anything else is retried after 30 s, doubling up to an hour, and an endpoint that fails for a day is switched off with a notice.",
    ].join("\n"),
  },
  servers: [{ url: "/api/v1" }],
  security: [{ apiKey: [] }],
  tags: [
    { name: "Segments", description: "Published segments, their members and changes." },
    { name: "Customers", description: "A customer's segments and consent." },
    { name: "Description", description: "This document." },
  ],
  paths: {
    "/customers/{externalId}/segments": {
      get: {
        operationId: "getCustomerSegments",
        tags: ["Customers"],
        summary: "The segments a customer is in now",
        description: "Scope `memberships:read`. Active segments whose current version includes the customer (a merged duplicate answers for the record it was merged into).",
        parameters: [externalIdParam],
        responses: {
          "200": {
            description: "The customer and their current segments.",
            headers: fallbackHeader,
            content: { "application/json": { schema: { $ref: "#/components/schemas/CustomerSegments" } } },
          },
          "404": error("No customer with this id in the key's workspace."),
          ...common,
        },
      },
    },
    "/customers/{externalId}/consent": {
      post: {
        operationId: "setCustomerConsent",
        tags: ["Customers"],
        summary: "Record a customer's consent",
        description:
          "Scope `consent:write`. `{\"optedOut\": true}` removes the customer at once from every segment's current membership and keeps them out of every later publish; `membership.changed` is sent for each segment they left. `{\"optedOut\": false}` lets the next publish of each segment select them again. Audit-logged.",
        parameters: [externalIdParam],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/ConsentInput" } } },
        },
        responses: {
          "200": { description: "The consent recorded and the segments the customer left.", content: { "application/json": { schema: { $ref: "#/components/schemas/ConsentResult" } } } },
          "400": error("The body is not {\"optedOut\": true|false}."),
          "404": error("No customer with this id in the key's workspace."),
          ...common,
        },
      },
    },
    "/segments": {
      get: {
        operationId: "listSegments",
        tags: ["Segments"],
        summary: "Published segments",
        description: "Scope `memberships:read`. Every active segment with its current version and size, in priority order.",
        responses: {
          "200": { description: "The segments.", headers: fallbackHeader, content: { "application/json": { schema: { $ref: "#/components/schemas/SegmentList" } } } },
          ...common,
        },
      },
    },
    "/segments/{segmentId}": {
      get: {
        operationId: "getSegment",
        tags: ["Segments"],
        summary: "One segment with its versions",
        description: "Scope `memberships:read`.",
        parameters: [segmentIdParam],
        responses: {
          "200": { description: "The segment.", headers: fallbackHeader, content: { "application/json": { schema: { $ref: "#/components/schemas/SegmentDetail" } } } },
          "400": error("The id is not a UUID."),
          "404": error("No published segment with this id in the key's workspace."),
          ...common,
        },
      },
    },
    "/segments/{segmentId}/members": {
      get: {
        operationId: "listSegmentMembers",
        tags: ["Segments"],
        summary: "A segment's members, paged or as CSV",
        description:
          "With `Accept: application/json` (scope `memberships:read`): one page of the current version's members and a cursor for the next. With `Accept: text/csv` (scope `exports:read`): every member of the current version streamed as CSV (`external_id`), audit-logged.",
        parameters: [segmentIdParam, cursorParam, limitParam],
        responses: {
          "200": {
            description: "A page of members, or all of them as CSV.",
            headers: fallbackHeader,
            content: {
              "application/json": { schema: { $ref: "#/components/schemas/MembersPage" } },
              "text/csv": { schema: { type: "string", description: "A header line `external_id`, then one customer per line." } },
            },
          },
          "400": error("A bad cursor or limit."),
          "404": error("No published segment with this id in the key's workspace."),
          ...common,
        },
      },
    },
    "/segments/{segmentId}/changes": {
      get: {
        operationId: "listSegmentChanges",
        tags: ["Segments"],
        summary: "Customers added and removed since a version or a time",
        description:
          "Scope `memberships:read`. The net change between version `since` (or the version current at an ISO time; 0 before the first publish) and the current version: each customer once, as `added` or `removed`. Paged like members; the cursor pins both versions.",
        parameters: [
          segmentIdParam,
          {
            name: "since",
            in: "query",
            required: true,
            description: "A version number (e.g. `3`) or an ISO 8601 time (e.g. `2026-01-31T00:00:00Z`). Not needed with a cursor.",
            schema: { type: "string" },
          },
          cursorParam,
          limitParam,
        ],
        responses: {
          "200": { description: "A page of changes.", headers: fallbackHeader, content: { "application/json": { schema: { $ref: "#/components/schemas/ChangesPage" } } } },
          "400": error("`since` is missing or is neither a version nor a time, or a bad cursor."),
          "404": error("No published segment with this id in the key's workspace."),
          ...common,
        },
      },
    },
    "/openapi.json": {
      get: {
        operationId: "getOpenApiDescription",
        tags: ["Description"],
        summary: "This description",
        security: [],
        responses: { "200": { description: "The OpenAPI 3.1 document.", content: { "application/json": { schema: { type: "object" } } } } },
      },
    },
  },
  components: {
    securitySchemes: {
      apiKey: { type: "http", scheme: "bearer", description: `A workspace API key (qk_…). Scopes: ${API_SCOPES.join(", ")}.` },
    },
    schemas: {
      Error: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["code", "message"],
            properties: {
              code: { type: "string", enum: ["INVALID", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "RATE_LIMITED", "INTERNAL"] },
              message: { type: "string" },
            },
          },
        },
      },
      CustomerSegments: {
        type: "object",
        required: ["customer", "segments"],
        additionalProperties: false,
        properties: {
          customer: {
            type: "object",
            required: ["externalId", "optedOut"],
            additionalProperties: false,
            properties: { externalId: { type: "string" }, optedOut: { type: "boolean" } },
          },
          segments: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "name", "version"],
              additionalProperties: false,
              properties: { id: { type: "string", format: "uuid" }, name: { type: "string" }, version: { type: "integer", minimum: 1 } },
            },
          },
        },
      },
      Segment: {
        type: "object",
        required: ["id", "name", "description", "status", "version", "memberCount", "publishedAt"],
        properties: {
          id: { type: "string", format: "uuid" },
          name: { type: "string" },
          description: { type: "string" },
          status: { type: "string", enum: ["active", "retired"] },
          version: { type: "integer", minimum: 1 },
          memberCount: { type: "integer", minimum: 0 },
          publishedAt: { type: "string", format: "date-time" },
        },
      },
      SegmentList: {
        type: "object",
        required: ["segments"],
        additionalProperties: false,
        properties: { segments: { type: "array", items: { $ref: "#/components/schemas/Segment" } } },
      },
      SegmentDetail: {
        type: "object",
        required: ["segment"],
        additionalProperties: false,
        properties: {
          segment: {
            allOf: [
              { $ref: "#/components/schemas/Segment" },
              {
                type: "object",
                required: ["versions"],
                properties: {
                  versions: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["version", "kind", "publishedAt", "memberCount", "added", "removed"],
                      additionalProperties: false,
                      properties: {
                        version: { type: "integer", minimum: 1 },
                        kind: { type: "string", enum: ["create", "change", "retire", "restore"] },
                        publishedAt: { type: "string", format: "date-time" },
                        memberCount: { type: "integer", minimum: 0 },
                        added: { type: "integer", minimum: 0 },
                        removed: { type: "integer", minimum: 0 },
                      },
                    },
                  },
                },
              },
            ],
          },
        },
      },
      MembersPage: {
        type: "object",
        required: ["segmentId", "version", "members", "nextCursor"],
        additionalProperties: false,
        properties: {
          segmentId: { type: "string", format: "uuid" },
          version: { type: "integer", minimum: 1, description: "The version these members belong to (pinned by the cursor)." },
          members: {
            type: "array",
            items: { type: "object", required: ["externalId"], additionalProperties: false, properties: { externalId: { type: "string" } } },
          },
          nextCursor: { type: ["string", "null"], description: "Pass as `cursor` for the next page; null on the last page." },
        },
      },
      ChangesPage: {
        type: "object",
        required: ["segmentId", "fromVersion", "toVersion", "changes", "nextCursor"],
        additionalProperties: false,
        properties: {
          segmentId: { type: "string", format: "uuid" },
          fromVersion: { type: "integer", minimum: 0 },
          toVersion: { type: "integer", minimum: 1 },
          changes: {
            type: "array",
            items: {
              type: "object",
              required: ["externalId", "change"],
              additionalProperties: false,
              properties: { externalId: { type: "string" }, change: { type: "string", enum: ["added", "removed"] } },
            },
          },
          nextCursor: { type: ["string", "null"] },
        },
      },
      ConsentInput: {
        type: "object",
        required: ["optedOut"],
        additionalProperties: false,
        properties: { optedOut: { type: "boolean", description: "true: the customer must not be targeted." } },
      },
      ConsentResult: {
        type: "object",
        required: ["customer", "removedFrom", "note"],
        additionalProperties: false,
        properties: {
          customer: {
            type: "object",
            required: ["externalId", "optedOut"],
            additionalProperties: false,
            properties: { externalId: { type: "string" }, optedOut: { type: "boolean" } },
          },
          removedFrom: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "name"],
              additionalProperties: false,
              properties: { id: { type: "string", format: "uuid" }, name: { type: "string" } },
            },
          },
          note: { type: "string" },
        },
      },
    },
  },
} as const;
