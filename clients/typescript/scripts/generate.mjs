// npm run generate [-- <URL or file of the OpenAPI document>]: writes src/schema.ts. By default it
// reads the document of a gateway on localhost:8080 (README's first command).
import { readFile, writeFile } from "node:fs/promises";
import { typesFor } from "./openapi-types.mjs";

const source = process.argv[2] ?? "http://127.0.0.1:8080/api/openapi.json";
const document = /^https?:/.test(source)
  ? await (await fetch(source)).json()
  : JSON.parse(await readFile(source, "utf8"));
const target = new URL("../src/schema.ts", import.meta.url);
await writeFile(target, await typesFor(document));
console.log(`src/schema.ts written from ${source}`);
