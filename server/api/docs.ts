/**
 * /api/v1/docs: the OpenAPI description as one readable, self-contained page (no scripts, no
 * external assets), so that whoever wires up a CRM can read it without an API key.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The little Markdown the description uses: paragraphs, **bold** and `code`. */
function md(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => `<p>${esc(p).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>").replace(/`([^`]+)`/g, "<code>$1</code>")}</p>`)
    .join("");
}

function inline(text: string): string {
  return md(text).replace(/^<p>|<\/p>$/g, "");
}

function resolve(doc: Obj, node: Json): Obj {
  if (node && typeof node === "object" && !Array.isArray(node) && typeof node.$ref === "string") {
    const name = node.$ref.split("/").pop()!;
    return ((doc.components as Obj).schemas as Obj)[name] as Obj;
  }
  return node as Obj;
}

function typeOf(doc: Obj, schema: Json): string {
  const s = schema as Obj;
  if (typeof s?.$ref === "string") return `<a href="#schema-${esc(s.$ref.split("/").pop()!)}">${esc(s.$ref.split("/").pop()!)}</a>`;
  if (s?.allOf) return (s.allOf as Json[]).map((x) => typeOf(doc, x)).join(" + ");
  if (s?.type === "array") return `array of ${typeOf(doc, s.items)}`;
  if (Array.isArray(s?.type)) return (s.type as string[]).join(" | ");
  if (s?.enum) return (s.enum as string[]).map((v) => `<code>${esc(String(v))}</code>`).join(" | ");
  if (s?.type === "object" && s.properties) return "object";
  return esc(String(s?.type ?? "any")) + (s?.format ? ` <span class="muted">(${esc(String(s.format))})</span>` : "");
}

function schemaTable(doc: Obj, schema: Obj): string {
  const props = (schema.properties ?? {}) as Obj;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(props)
    .map(([name, p]) => {
      const prop = p as Obj;
      const nested = prop.type === "object" && prop.properties ? schemaTable(doc, prop) : "";
      return `<tr><td><code>${esc(name)}</code>${required.has(name) ? "" : ' <span class="muted">optional</span>'}</td><td>${typeOf(doc, prop)}${
        prop.description ? `<div class="muted">${inline(String(prop.description))}</div>` : ""
      }${nested}</td></tr>`;
    })
    .join("");
  return rows ? `<table class="fields">${rows}</table>` : "";
}

/** `nonce`: the response's content-security-policy nonce, for the page's one style element. */
export function renderApiDocs(document: unknown, nonce?: string): string {
  const doc = document as Obj;
  const info = doc.info as Obj;
  const paths = doc.paths as Obj;
  const ops: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, raw] of Object.entries(item as Obj)) {
      const op = raw as Obj;
      const id = String(op.operationId);
      toc.push(`<li><a href="#${esc(id)}"><span class="method method--${method}">${method.toUpperCase()}</span> ${esc(path)}</a></li>`);
      const params = ((op.parameters ?? []) as Obj[])
        .map((p) => `<tr><td><code>${esc(String(p.name))}</code> <span class="muted">${esc(String(p.in))}${p.required ? ", required" : ""}</span></td><td>${typeOf(doc, p.schema)}<div class="muted">${inline(String(p.description ?? ""))}</div></td></tr>`)
        .join("");
      const body = op.requestBody ? resolve(doc, ((((op.requestBody as Obj).content as Obj)["application/json"] as Obj).schema) as Json) : null;
      const responses = Object.entries(op.responses as Obj)
        .map(([status, r]) => {
          const resp = r as Obj;
          const content = (resp.content ?? {}) as Obj;
          const types = Object.entries(content)
            .map(([type, c]) => `<div><span class="muted">${esc(type)}:</span> ${typeOf(doc, (c as Obj).schema)}</div>`)
            .join("");
          const headers = Object.keys((resp.headers ?? {}) as Obj)
            .map((h) => `<div><span class="muted">header</span> <code>${esc(h)}</code></div>`)
            .join("");
          return `<tr><td><span class="status status--${status[0]}">${esc(status)}</span></td><td>${inline(String(resp.description))}${types}${headers}</td></tr>`;
        })
        .join("");
      ops.push(`<section class="op" id="${esc(id)}">
        <h3><span class="method method--${method}">${method.toUpperCase()}</span> <code>/api/v1${esc(path)}</code></h3>
        <p class="summary">${esc(String(op.summary))}</p>
        ${op.description ? md(String(op.description)) : ""}
        ${params ? `<h4>Parameters</h4><table class="fields">${params}</table>` : ""}
        ${body ? `<h4>Body <span class="muted">application/json</span></h4>${schemaTable(doc, body)}` : ""}
        <h4>Responses</h4><table class="fields">${responses}</table>
      </section>`);
    }
  }
  const schemas = Object.entries((doc.components as Obj).schemas as Obj)
    .map(([name, s]) => {
      const schema = s as Obj;
      const parts = schema.allOf ? (schema.allOf as Json[]).map((x) => schemaTable(doc, resolve(doc, x))).join("") : schemaTable(doc, schema);
      return `<section class="schema" id="schema-${esc(name)}"><h3>${esc(name)}</h3>${parts}</section>`;
    })
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(String(info.title))} · Quorum</title>
<link rel="icon" type="image/svg+xml" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%234338ca'/%3E%3Ccircle cx='15' cy='15' r='7' fill='none' stroke='white' stroke-width='3'/%3E%3Cpath d='m19.5 19.5 5 5' stroke='white' stroke-width='3' stroke-linecap='round'/%3E%3C/svg%3E">
<style${nonce ? ` nonce="${esc(nonce)}"` : ""}>
:root{--accent:#4338ca;--bg:#f6f7f9;--surface:#fff;--border:#e4e7ec;--text:#101828;--muted:#667085;font-family:Inter,ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:15px;line-height:1.55;color:var(--text);background:var(--bg)}
body{margin:0}header{background:var(--surface);border-bottom:1px solid var(--border);padding:20px 32px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:var(--muted)}.layout{display:grid;grid-template-columns:260px 1fr;gap:32px;max-width:1200px;margin:0 auto;padding:24px 32px}
nav ul{list-style:none;padding:0;margin:0;position:sticky;top:16px}nav li{margin:2px 0}nav a{color:var(--text);text-decoration:none;font-size:13px;display:block;padding:5px 8px;border-radius:6px}nav a:hover{background:#eef2ff}
nav h2{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:16px 0 6px}
main section{background:var(--surface);border:1px solid var(--border);border-radius:10px;padding:20px 24px;margin-bottom:16px}
h3{margin:0 0 6px;font-size:17px}h4{margin:18px 0 6px;font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.summary{margin:0 0 8px;font-weight:600}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;background:#f2f4f7;padding:1px 5px;border-radius:4px}
.method{display:inline-block;min-width:48px;text-align:center;font-size:11px;font-weight:700;border-radius:5px;padding:2px 6px;color:#fff;background:#475467}
.method--get{background:#067647}.method--post{background:var(--accent)}.muted{color:var(--muted);font-size:13px}
table.fields{width:100%;border-collapse:collapse;font-size:14px}table.fields td{border-top:1px solid var(--border);padding:8px 10px 8px 0;vertical-align:top}table.fields td:first-child{width:34%;white-space:nowrap}
table.fields table.fields{margin-top:6px}.status{font-weight:700;font-family:ui-monospace,Menlo,monospace}.status--2{color:#067647}.status--4{color:#b54708}
.intro p{max-width:80ch}a{color:var(--accent)}
@media (max-width:800px){.layout{grid-template-columns:1fr}nav ul{position:static}}
</style></head>
<body><header><h1>${esc(String(info.title))}</h1><p>${esc(String(info.summary ?? ""))} Version ${esc(String(info.version))} · OpenAPI 3.1: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p></header>
<div class="layout"><nav aria-label="Operations"><h2>Operations</h2><ul>${toc.join("")}</ul><h2>Schemas</h2><ul>${Object.keys(((doc.components as Obj).schemas as Obj))
    .map((n) => `<li><a href="#schema-${esc(n)}">${esc(n)}</a></li>`)
    .join("")}</ul></nav>
<main><section class="intro">${md(String(info.description))}</section>${ops.join("")}<h2>Schemas</h2>${schemas}</main></div></body></html>`;
}
