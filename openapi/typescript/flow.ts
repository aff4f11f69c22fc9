// A script author's session with the typed client, every call checked by `tsc --strict`:
// sign in, page through households, read a resident's ETag, change it with If-Match, meet
// a 412 and a 422 as a client handles them (by `code`, by `errors[].loc`), upload a file.
// Prints `ok <step> ...` or `fail <step> ...` per step; exits 1 if any step failed.
// Env: API_BASE (http://127.0.0.1:8000), API_USERNAME (demo-group_leader), DEMO_PASSWORD.
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { formBody, header, multipartBody } from "./http";

const base = process.env["API_BASE"] ?? "http://127.0.0.1:8000";
const username = process.env["API_USERNAME"] ?? "demo-group_leader";
const password = process.env["DEMO_PASSWORD"] ?? "";

let failed = 0;

function check(step: string, passed: boolean, detail: string): boolean {
  console.log(`${passed ? "ok" : "fail"} ${step} ${detail}`);
  if (!passed) failed += 1;
  return passed;
}

/** A step the rest depends on: without it the flow stops here. */
function need<T>(step: string, value: T | null | undefined, detail: string): T {
  if (value === null || value === undefined) {
    check(step, false, detail);
    process.exit(1);
  }
  return value;
}

const client = createClient<paths>({ baseUrl: base });

const signIn = await client.POST("/api/v1/auth/token", {
  body: { grant_type: "password", username, password },
  bodySerializer: formBody,
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
});
const token = need("signed_in", signIn.data?.access_token, `status ${signIn.response.status}`);
check("signed_in", signIn.data?.token_type === "bearer", `as ${username}`);
client.use({
  onRequest({ request }) {
    request.headers.set("Authorization", `Bearer ${token}`);
  },
});

// Every page by its cursor until next_cursor is null: each household once, as many as total.
async function householdsPage(cursor: string | null, first: boolean) {
  const page = await client.GET("/api/v1/households", {
    params: { query: { limit: 100, cursor, include_total: first } },
  });
  return need("households_paged", page.data, `status ${page.response.status}`);
}
const seen = new Set<string>();
let page = await householdsPage(null, true);
const total = page.total;
const firstCode = need("households_paged", page.items[0]?.code, "no household listed");
let pages = 1;
for (;;) {
  for (const household of page.items) seen.add(household.id);
  if (page.next_cursor === null || pages >= 1000) break;
  page = await householdsPage(page.next_cursor, false);
  pages += 1;
}
check("households_paged", pages > 1 && seen.size === total,
  `pages=${pages} households=${seen.size} total=${total}`);

const listed = await client.GET("/api/v1/residents", { params: { query: { limit: 1 } } });
const residentId = need("resident_read", listed.data?.items[0]?.id, "no resident listed");
const path = { resident_id: residentId };
const read = await client.GET("/api/v1/residents/{resident_id}", { params: { path } });
const etag = need("resident_read", header<"residents_get", 200>(read.response, "ETag"),
  `no ETag (status ${read.response.status})`);
check("resident_read", read.data?.id === residentId, `etag=${etag}`);

// A phone that differs from the stored one, so the change makes a new version.
const phone = read.data?.phone === "+84912000111" ? "+84912000222" : "+84912000111";
const patched = await client.PATCH("/api/v1/residents/{resident_id}", {
  params: { path, header: { "if-match": etag } },
  body: { phone },
});
const newTag = header<"residents_update", 200>(patched.response, "ETag");
check("patched", patched.response.status === 200 && patched.data?.phone === phone &&
  newTag !== null && newTag !== etag, `status=${patched.response.status} etag=${newTag}`);

// The tag read before the change is stale now: the server refuses with 412.
const stale = await client.PATCH("/api/v1/residents/{resident_id}", {
  params: { path, header: { "if-match": etag } },
  body: { phone: "+84912000333" },
});
if (stale.error?.code === "precondition_failed") {
  check("stale_rejected", stale.response.status === 412, `412 ${stale.error.code}`);
} else {
  check("stale_rejected", false, `status=${stale.response.status} code=${stale.error?.code}`);
}

// Three bad fields in one body: one 422 names each of them at its `loc`.
const bad = await client.PATCH("/api/v1/residents/{resident_id}", {
  params: { path, header: { "if-match": newTag ?? etag } },
  body: { birth_date: "2999-01-01", phone: "12ab", id_number: "123" },
});
const fields = (bad.error?.errors ?? []).map((error) => error.loc.join("."));
const expected = ["body.birth_date", "body.id_number", "body.phone"];
if (bad.error?.code === "validation_failed") {
  check("invalid_rejected", expected.every((loc) => fields.includes(loc)),
    `422 ${bad.error.code} fields=${fields.sort().join(",")}`);
} else {
  check("invalid_rejected", false,
    `status=${bad.response.status} code=${bad.error?.code} fields=${fields.join(",")}`);
}

// An import checked, not applied: the file is a File part of a multipart body.
const csv = "Họ và tên,Ngày sinh,Giới tính,Mã hộ,Quan hệ với chủ hộ,Tình trạng cư trú\r\n" +
  `Nguyễn Văn Thử,15/03/1990,Nam,${firstCode},Con,Thường trú\r\n`;
const file = new File([csv], "cu-dan.csv", { type: "text/csv" });
const started = await client.POST("/api/v1/imports", {
  body: { file, kind: "residents", dry_run: true, partial: false },
  bodySerializer: multipartBody,
});
const job = need("import_started", started.data, `status ${started.response.status}: ` +
  JSON.stringify(started.error));
check("import_started", started.response.status === 202 && job.dry_run &&
  job.filename === file.name, `202 job=${job.id}`);

let state = job;
for (let tries = 0; (state.status === "queued" || state.status === "running") && tries < 120;
  tries += 1) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  const polled = await client.GET("/api/v1/imports/{import_id}",
    { params: { path: { import_id: job.id } } });
  state = need("import_read", polled.data, `status ${polled.response.status}`);
}
check("import_read", state.status === "succeeded" && state.total_rows === 1 &&
  state.created_count === 1 && state.rejected_count === 0,
  `status=${state.status} rows=${state.total_rows} created=${state.created_count} ` +
  `rejected=${state.rejected_count}`);

process.exit(failed === 0 ? 0 : 1);
