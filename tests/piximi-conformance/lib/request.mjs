// Reading a request file and its images, shared by upload.mjs and crop-and-resize.mjs. A wrong request is the
// caller's bug: it throws RequestError, which the commands report with exit code 2.
import { readFile } from "node:fs/promises";
import path from "node:path";

export class RequestError extends Error {}

export function parseArgs(argv) {
  const i = argv.indexOf("--request");
  if (i < 0 || !argv[i + 1]) throw new RequestError("usage: --request <request.json>");
  return argv[i + 1];
}

export async function readRequest(file) {
  let text;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new RequestError(`cannot read the request ${file}: ${err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RequestError(`the request ${file} is not JSON: ${err.message}`);
  }
}

const isCount = (n) => Number.isInteger(n) && n >= 0;

// Raw little-endian float32, NHWC, `shape` [N, H, W, C]; returns one Float32Array per image.
export async function readImages(file, shape) {
  if (typeof file !== "string" || !path.isAbsolute(file)) throw new RequestError("images must be an absolute path");
  if (!Array.isArray(shape) || shape.length !== 4 || !shape.every(isCount) || shape.slice(1).some((d) => d === 0)) {
    throw new RequestError("shape must be [N, H, W, C] with H, W, C > 0");
  }
  const [n, h, w, c] = shape;
  let bytes;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new RequestError(`cannot read images ${file}: ${err.message}`);
  }
  const per = h * w * c;
  if (bytes.length !== n * per * 4) {
    throw new RequestError(`images ${file} has ${bytes.length} bytes, shape ${JSON.stringify(shape)} needs ${n * per * 4}`);
  }
  const all = new Float32Array(n * per);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < all.length; i++) all[i] = view.getFloat32(i * 4, true);
  return Array.from({ length: n }, (_, k) => all.subarray(k * per, (k + 1) * per));
}

// Runs a command's body: its one JSON object to stdout, exit 0; a bad request exit 2, anything else exit 1.
// Everything the libraries print (tfjs greets on console.log) goes to stderr so stdout holds only the JSON.
export async function runCommand(body) {
  const write = process.stdout.write.bind(process.stdout);
  console.log = (...args) => console.error(...args);
  try {
    const result = await body();
    write(JSON.stringify(result) + "\n");
    process.exitCode = 0;
  } catch (err) {
    console.error(err instanceof RequestError ? `bad request: ${err.message}` : err);
    process.exitCode = err instanceof RequestError ? 2 : 1;
  }
}
