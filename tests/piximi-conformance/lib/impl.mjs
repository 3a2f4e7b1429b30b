// Which Piximi the harness runs: the reproduction in ./piximi (the default, all that the repository holds), or a
// module with the same exports at PIXIMI_IMPL, e.g. a local bundle of Piximi's own source made to check the
// reproduction (README, "Checked against Piximi's source"). The polyfills go in before either is loaded.
import "./polyfills.mjs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const where = process.env.PIXIMI_IMPL
  ? pathToFileURL(path.resolve(process.env.PIXIMI_IMPL)).href
  : new URL("./piximi/index.mjs", import.meta.url).href;

export const piximi = await import(where);
for (const name of ["tf", "JSZip", "classifierHandler", "SimpleCNN", "validateModelMetadata", "preprocessData"]) {
  if (!(name in piximi)) throw new Error(`${where} does not export ${name}`);
}
