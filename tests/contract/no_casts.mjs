// Lists every cast in the TypeScript files given: `x as T`, `<T>x`, `x!`, `any`, and
// `@ts-` comments. One `file:line: what` a line; exits 1 if it found any.
import { readFileSync } from "node:fs";
import ts from "typescript";

const found = [];
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const at = (node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node) => {
    if (ts.isAsExpression(node)) found.push(`${at(node)}: as`);
    if (ts.isTypeAssertionExpression(node)) found.push(`${at(node)}: <T> assertion`);
    if (ts.isNonNullExpression(node)) found.push(`${at(node)}: non-null !`);
    if (node.kind === ts.SyntaxKind.AnyKeyword) found.push(`${at(node)}: any`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  text.split("\n").forEach((line, i) => {
    if (/@ts-/.test(line)) found.push(`${file}:${i + 1}: @ts- comment`);
  });
}
for (const line of found) console.log(line);
process.exit(found.length === 0 ? 0 : 1);
