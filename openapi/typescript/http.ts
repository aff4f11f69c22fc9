// What every typed client of this API needs beside openapi-fetch: the headers an answer
// declares, read by name, and form bodies (OAuth2's token request, uploads) from typed bodies.
import type { operations } from "./schema";

/** The names a type spells out: a header list's `[name: string]: unknown` is left out. */
type Named<T> = keyof {
  [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K];
};

/** The headers operation `O` declares on its `S` answer. */
export type DeclaredHeader<O, S> = O extends { responses: infer R }
  ? S extends keyof R
    ? R[S] extends { headers: infer H }
      ? Named<H> & string
      : never
    : never
  : never;

/** A header of an answer, by a name the document declares for that operation and status
 * (`header<"residents_get", 200>(response, "ETag")`); a name it does not declare does not
 * compile, so a renamed or undocumented header is found at build time. */
export function header<Op extends keyof operations, S extends keyof operations[Op]["responses"]>(
  response: Response,
  name: DeclaredHeader<operations[Op], S>,
): string | null {
  return response.headers.get(name);
}

/** The file name of a `Content-Disposition: attachment` header (RFC 6266), if it names one. */
export function attachmentName(disposition: string | null): string | null {
  if (disposition === null) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (extended !== undefined) return decodeURIComponent(extended.trim());
  return /filename\s*=\s*"((?:[^"\\]|\\.)*)"|filename\s*=\s*([^;\s]+)/i
    .exec(disposition)
    ?.slice(1)
    .find((part) => part !== undefined)
    ?.replace(/\\(.)/g, "$1") ?? null;
}

type Field = string | number | boolean | null | undefined;

/** An `application/x-www-form-urlencoded` body; absent and null fields are left out. */
export function formBody(body: Record<string, Field> | undefined): URLSearchParams {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body ?? {})) {
    if (value !== null && value !== undefined) form.append(name, String(value));
  }
  return form;
}

/** A `multipart/form-data` body: a Blob (a File keeps its name) is sent as a file part. */
export function multipartBody(body: Record<string, Field | Blob>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    if (value instanceof Blob) form.append(name, value);
    else if (value !== null && value !== undefined) form.append(name, String(value));
  }
  return form;
}
