// The typed client's types: `node openapi/typescript/generate.mjs [document] [output]`.
// openapi-typescript's command line types a file as `string`; a file part of a multipart
// body (`format: binary`, or OpenAPI 3.1's `contentMediaType` without an encoding) must be
// a Blob so a browser or Node sends it as a file, which only the Node API can say.
import { writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import openapiTS, { astToString } from "openapi-typescript";

const [input = "openapi/openapi.json", output = "openapi/typescript/schema.d.ts"] =
  process.argv.slice(2);
const source = /^https?:/.test(input) ? new URL(input) : pathToFileURL(input);

const BLOB = ts.factory.createTypeReferenceNode("Blob");

const ast = await openapiTS(source, {
  transform(schema) {
    const isFile = schema.type === "string" && (schema.format === "binary" ||
      ("contentMediaType" in schema && !("contentEncoding" in schema)));
    return isFile ? BLOB : undefined;
  },
});
await writeFile(output, astToString(ast));
console.log(`${input} -> ${output}`);
