// The register's residents in a browser, on the typed client: sign in, search and page,
// open one, save it with If-Match, show a 412 and each field's 422 error, download an export.
import createClient from "openapi-fetch";
import type { components, paths } from "../../../openapi/typescript/schema";
import { attachmentName, formBody, header } from "../../../openapi/typescript/http";

type Resident = components["schemas"]["ResidentRead"];
type ResidentUpdate = components["schemas"]["ResidentUpdate"];
type Problem = components["schemas"]["Problem"];

// `?api=http://127.0.0.1:8000` at run time, else the build's `--define:API_BASE=...`.
declare const API_BASE: string;
const settings = new URLSearchParams(location.search);
const client = createClient<paths>({ baseUrl: settings.get("api") ?? API_BASE });
// The interface is Vietnamese, so the server's messages are too (`?lang=en` for English).
const language = settings.get("lang") ?? "vi";
const PAGE_SIZE = 10;
type Editable = "full_name" | "birth_date" | "phone" | "id_number";
const FIELDS: Editable[] = ["full_name", "birth_date", "phone", "id_number"];

let token = "";
let nextCursor: string | null = null;
let current: { resident: Resident; etag: string } | null = null;

client.use({
  onRequest({ request }) {
    request.headers.set("Accept-Language", language);
    if (token !== "") request.headers.set("Authorization", `Bearer ${token}`);
  },
});

function element<T extends HTMLElement>(id: string, kind: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) throw new Error(`#${id} is missing`);
  return found;
}

const message = element("message", HTMLElement);
const reload = element("reload", HTMLButtonElement);
const editor = element("editor", HTMLFormElement);
const rows = element("residents", HTMLTableSectionElement);
const next = element("next", HTMLButtonElement);

function say(text: string, offerReload = false): void {
  element("message-text", HTMLElement).textContent = text;
  message.hidden = text === "";
  reload.hidden = !offerReload;
}

function problemText(problem: Problem | undefined, status: number): string {
  return problem === undefined ? `Lỗi ${status}` : `${problem.title}. ${problem.detail}`;
}

function input(name: string): HTMLInputElement {
  const found = editor.elements.namedItem(name);
  if (!(found instanceof HTMLInputElement)) throw new Error(`field ${name} is missing`);
  return found;
}

function showFieldErrors(problem: Problem | undefined): void {
  for (const slot of editor.querySelectorAll<HTMLElement>(".field-error")) slot.textContent = "";
  for (const error of problem?.errors ?? []) {
    const [where, name] = error.loc;
    const slot = editor.querySelector<HTMLElement>(`.field-error[data-for="${String(name)}"]`);
    if (where === "body" && slot !== null) slot.textContent = error.message;
  }
}

async function signIn(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const { data, error, response } = await client.POST("/api/v1/auth/token", {
    body: { grant_type: "password", username: element("username", HTMLInputElement).value,
            password: element("password", HTMLInputElement).value },
    bodySerializer: formBody,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (data === undefined) return say(problemText(error, response.status));
  token = data.access_token;
  say("");
  element("signin", HTMLFormElement).hidden = true;
  element("register", HTMLElement).hidden = false;
  await list(null);
}

async function list(cursor: string | null): Promise<void> {
  const q = element("q", HTMLInputElement).value.trim();
  const { data, error, response } = await client.GET("/api/v1/residents", {
    params: { query: { limit: PAGE_SIZE, cursor, q: q === "" ? null : q } },
  });
  if (data === undefined) return say(problemText(error, response.status));
  rows.replaceChildren(...data.items.map((resident) => {
    const row = rows.insertRow();
    row.dataset["id"] = resident.id;
    row.insertCell().textContent = resident.full_name;
    row.insertCell().textContent = resident.birth_date ?? String(resident.birth_year ?? "");
    const open = document.createElement("button");
    open.type = "button";
    open.textContent = "Mở";
    open.addEventListener("click", () => void openResident(resident.id));
    row.insertCell().append(open);
    return row;
  }));
  nextCursor = data.next_cursor;
  next.hidden = nextCursor === null;
}

async function openResident(id: string): Promise<void> {
  const { data, error, response } = await client.GET("/api/v1/residents/{resident_id}", {
    params: { path: { resident_id: id } },
  });
  const etag = header<"residents_get", 200>(response, "ETag");
  if (data === undefined || etag === null) return say(problemText(error, response.status));
  current = { resident: data, etag };
  say("");
  showFieldErrors(undefined);
  element("editor-title", HTMLElement).textContent = data.full_name;
  for (const name of FIELDS) input(name).value = data[name] ?? "";
  editor.hidden = false;
  editor.dataset["id"] = id;
}

/** Only what changed is sent: absent fields stay as they are. */
function changes(resident: Resident): ResidentUpdate {
  const body: ResidentUpdate = {};
  for (const name of FIELDS) {
    const value = input(name).value.trim();
    if (value !== "" && value !== (resident[name] ?? "")) body[name] = value;
  }
  return body;
}

async function save(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  if (current === null) return;
  const { resident, etag } = current;
  const { data, error, response } = await client.PATCH("/api/v1/residents/{resident_id}", {
    params: { path: { resident_id: resident.id }, header: { "if-match": etag } },
    body: changes(resident),
  });
  showFieldErrors(response.status === 422 ? error : undefined);
  if (error?.code === "precondition_failed") {
    return say(`Người khác vừa sửa bản ghi này; hãy tải lại. (${error.title})`, true);
  }
  if (response.status === 422) {
    return say("Có trường chưa hợp lệ: xem các thông báo bên dưới.");
  }
  const newTag = header<"residents_update", 200>(response, "ETag");
  if (data === undefined || newTag === null) return say(problemText(error, response.status));
  current = { resident: data, etag: newTag };
  say("Đã lưu.");
}

async function download(): Promise<void> {
  const q = element("q", HTMLInputElement).value.trim();
  const { data, error, response } = await client.GET("/api/v1/residents/export", {
    params: { query: { format: "csv", q: q === "" ? null : q } },
    parseAs: "blob",
  });
  if (data === undefined) return say(problemText(error, response.status));
  const disposition = header<"residents_export", 200>(response, "Content-Disposition");
  const link = document.createElement("a");
  link.href = URL.createObjectURL(data);
  link.download = attachmentName(disposition) ?? "cu-dan.csv";
  link.click();
  URL.revokeObjectURL(link.href);
}

element("signin", HTMLFormElement).addEventListener("submit", (e) => void signIn(e));
element("search", HTMLFormElement).addEventListener("submit", (e) => {
  e.preventDefault();
  void list(null);
});
next.addEventListener("click", () => void list(nextCursor));
editor.addEventListener("submit", (e) => void save(e));
reload.addEventListener("click", () => {
  if (current !== null) void openResident(current.resident.id);
});
element("export", HTMLButtonElement).addEventListener("click", () => void download());
