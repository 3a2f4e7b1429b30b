#!/usr/bin/env node
// node tests/piximi-conformance/upload.mjs --request <request.json>
// Uploads a model as a Piximi 1.1.4 user does ("Upload Local"), then predicts the given images with it, and prints
// one JSON object (README.md describes request and result). Exit 0 whatever Piximi made of the model; 2 for a bad
// request, 1 for a fault of this harness.
import { parseArgs, readRequest, runCommand } from "./lib/request.mjs";
import { emptyResult, runUpload, stallReason } from "./lib/upload-run.mjs";

const out = emptyResult();
let finished = false;
// If Piximi's code leaves the upload pending forever (as a browser would), Node runs out of work: report that.
process.once("beforeExit", () => {
  if (finished) return;
  out.stalled = stallReason();
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exitCode = 0;
});
runCommand(async () => {
  const request = await readRequest(parseArgs(process.argv.slice(2)));
  await runUpload(request, out);
  finished = true;
  return out;
}).finally(() => {
  finished = true;
});
