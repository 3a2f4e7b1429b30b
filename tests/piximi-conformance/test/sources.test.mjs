// The reproduction's citations are its link to Piximi: each `file.ts:N` must name exactly one file of
// PIXIMI-SOURCES.md and a line that file has. With PIXIMI_SRC (a directory holding Piximi's src/… at 20f46898),
// the files there must also hash to the recorded git blob ids, i.e. be the versions the reproduction was read from.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const table = readFileSync(path.join(ROOT, "PIXIMI-SOURCES.md"), "utf8")
  .split("\n")
  .map((line) => line.match(/^\| `([^`]+)` \| `([0-9a-f]{40})` \| (\d+) \|/))
  .filter(Boolean)
  .map(([, file, blob, lines]) => ({ file, blob, lines: +lines }));

const ourFiles = ["upload.mjs", "crop-and-resize.mjs", ...["lib", "lib/piximi", "test"].flatMap((d) =>
  readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith(".mjs")).map((f) => path.join(d, f)))];

// git's blob id: sha1 over "blob <byte length>\0" followed by the bytes.
export const gitBlobId = (bytes) =>
  createHash("sha1").update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes])).digest("hex");

test("PIXIMI-SOURCES.md lists the files", () => {
  assert.ok(table.length >= 20, `only ${table.length} rows parsed`);
});

test("every citation names one listed Piximi file and lines it has", () => {
  const problems = [];
  let count = 0;
  for (const ours of ourFiles) {
    const text = readFileSync(path.join(ROOT, ours), "utf8");
    for (const m of text.matchAll(/([A-Za-z][\w/.-]*\.tsx?):(\d+)(?:-(\d+))?/g)) {
      count++;
      const [cited, name, from, to] = m;
      const hits = table.filter((row) => row.file === name || row.file.endsWith("/" + name));
      if (hits.length !== 1) problems.push(`${ours}: ${cited} matches ${hits.length} listed files`);
      else if (+(to ?? from) > hits[0].lines || (to && +to < +from)) problems.push(`${ours}: ${cited} is past ${hits[0].lines} lines`);
    }
  }
  assert.ok(count >= 40, `only ${count} citations found`);
  assert.deepEqual(problems, []);
});

test("a given copy of Piximi's files is the recorded version", { skip: !process.env.PIXIMI_SRC && "PIXIMI_SRC not set" }, () => {
  const mismatched = [];
  for (const { file, blob, lines } of table) {
    const where = path.join(process.env.PIXIMI_SRC, file);
    if (!existsSync(where)) continue;
    const bytes = readFileSync(where);
    if (gitBlobId(bytes) !== blob) mismatched.push(file);
    if (bytes.toString("utf8").split("\n").length - 1 !== lines) mismatched.push(`${file} (line count)`);
  }
  assert.deepEqual(mismatched, []);
});
