// Drives the SPA example in headless Chromium as a group leader would, and prints one JSON
// report: each step's result, what the page showed, its console errors, a screenshot on
// failure. Env: SPA_URL, API_BASE, USERNAME, PASSWORD, CHROMIUM, SCREENSHOT.
import { chromium } from "playwright-core";

const env = process.env;
const report = { steps: {}, fieldErrors: {}, console: [], screenshot: null, error: null };
const step = (name, ok, detail = "") => { report.steps[name] = [ok, detail]; };

async function api(path, init = {}) {
  const answer = await fetch(env.API_BASE + path, init);
  return { status: answer.status, headers: answer.headers, body: await answer.text() };
}

const browser = await chromium.launch({
  executablePath: env.CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ acceptDownloads: true });
page.setDefaultTimeout(15000);
page.on("console", (m) => { if (m.type() === "error") report.console.push(m.text()); });
page.on("pageerror", (e) => report.console.push(String(e)));
const rowNames = () => page.locator("#residents tr td:first-child").allTextContents();

try {
  await page.goto(`${env.SPA_URL}/index.html?api=${encodeURIComponent(env.API_BASE)}`);
  await page.fill("#username", env.USERNAME);
  await page.fill("#password", env.PASSWORD);
  await page.click("#signin button[type=submit]");
  await page.locator("#residents tr").first().waitFor();
  step("signed_in", (await rowNames()).length === 10, `${(await rowNames()).length} rows`);

  // Without diacritics, as people type: "nguyen" finds "Nguyễn".
  const before = (await rowNames()).join("|");
  await page.fill("#q", "nguyen");
  await page.click("#search button[type=submit]");
  await page.waitForFunction((old) => [...document.querySelectorAll("#residents tr td:first-child")]
    .map((c) => c.textContent).join("|") !== old, before);
  const found = await rowNames();
  step("searched", found.length > 0 && found.every((n) => n.includes("Nguyễn")), found.join(", "));

  const ids = () => page.locator("#residents tr").evaluateAll((r) => r.map((e) => e.dataset.id));
  const firstIds = await ids();
  await page.click("#next");
  await page.waitForFunction((old) => document.querySelector("#residents tr")?.dataset.id !== old,
    firstIds[0]);
  const second = await rowNames();
  const secondIds = await ids();
  step("paged", second.length > 0 && second.every((n) => n.includes("Nguyễn")) &&
    secondIds.every((i) => !firstIds.includes(i)), second.join(", "));

  const row = page.locator("#residents tr").first();
  const id = await row.getAttribute("data-id");
  const name = await row.locator("td").first().textContent();
  await row.locator("button").click();
  await page.locator("#editor:not([hidden])").waitFor();
  step("opened", (await page.inputValue("input[name=full_name]")) === name, name);

  const phone = `+8491200${String(Date.now()).slice(-4)}`;
  await page.fill("input[name=phone]", phone);
  const saved = page.waitForResponse((r) => r.request().method() === "PATCH");
  await page.click("#editor button[type=submit]");
  const savedStatus = (await saved).status();
  await page.locator("#message-text", { hasText: "Đã lưu" }).waitFor();
  step("saved", savedStatus === 200, `PATCH ${savedStatus}`);

  // Someone else changes the record through the API between this read and the next save.
  const token = JSON.parse((await api("/api/v1/auth/token", { method: "POST",
    body: new URLSearchParams({ grant_type: "password", username: env.USERNAME,
                                password: env.PASSWORD }) })).body).access_token;
  const auth = { Authorization: `Bearer ${token}` };
  const fresh = await api(`/api/v1/residents/${id}`, { headers: auth });
  const changed = await api(`/api/v1/residents/${id}`, { method: "PATCH", body: JSON.stringify(
    { phone: "+84912000999" }), headers: { ...auth, "If-Match": fresh.headers.get("etag"),
    "Content-Type": "application/json" } });
  await page.fill("input[name=phone]", "+84912000888");
  const conflict = page.waitForResponse((r) => r.request().method() === "PATCH");
  await page.click("#editor button[type=submit]");
  const conflictStatus = (await conflict).status();
  const shown = page.locator("#message-text", { hasText: "hãy tải lại" });
  await shown.waitFor();
  step("conflict_shown", changed.status === 200 && conflictStatus === 412 &&
    (await page.isVisible("#reload")), `${conflictStatus}: ${await shown.textContent()}`);

  await page.click("#reload");
  await page.locator("#message").waitFor({ state: "hidden" });
  const bad = { birth_date: "2999-01-01", phone: "12ab", id_number: "123" };
  for (const [field, value] of Object.entries(bad)) await page.fill(`input[name=${field}]`, value);
  const invalid = page.waitForResponse((r) => r.request().method() === "PATCH");
  await page.click("#editor button[type=submit]");
  const invalidStatus = (await invalid).status();
  await page.locator(".field-error:not(:empty)").first().waitFor();
  for (const field of Object.keys(bad)) {
    report.fieldErrors[field] = await page.textContent(`.field-error[data-for=${field}]`);
  }
  step("field_errors_shown", invalidStatus === 422, `422: ${JSON.stringify(report.fieldErrors)}`);

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
  report.download = download.suggestedFilename();
  step("downloaded", report.download.endsWith(".csv"), report.download);
} catch (error) {
  report.error = String(error && error.stack || error);
}
if (report.error !== null || Object.values(report.steps).some(([ok]) => !ok)) {
  report.screenshot = env.SCREENSHOT;
  await page.screenshot({ path: env.SCREENSHOT, fullPage: true }).catch(() => {});
}
await browser.close();
console.log(JSON.stringify(report));
