// crop-and-resize.mjs gives what Piximi feeds a model: tf.image.cropAndResize over the whole image (box [0,0,1,1]),
// bilinear: output corners sample the input corners exactly, which tf.image.resizeBilinear (alignCorners false by
// default) does not do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CROP, runRaw, tempDir } from "./fixtures.mjs";
import { piximi } from "../lib/impl.mjs";

const { tf } = piximi;
const dir = tempDir();

function resize(pixels, shape, size) {
  const input = path.join(dir, `in-${Math.random().toString(36).slice(2)}.f32`);
  const output = input.replace("in-", "out-");
  writeFileSync(input, Buffer.from(new Float32Array(pixels).buffer));
  const run = runRaw(CROP, { images: input, shape, size, output }, dir);
  assert.equal(run.status, 0, run.stderr);
  const info = JSON.parse(run.stdout);
  assert.deepEqual(info.shape, [shape[0], ...size, shape[3]]);
  assert.equal(info.tfjs, "4.2.0");
  assert.equal(info.backend, "cpu");
  const bytes = readFileSync(output);
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
}

test("2x2 to 3x3: corners kept, edges and centre interpolated (values worked by hand)", () => {
  const out = resize([0, 1, 0.5, 0.25], [1, 2, 2, 1], [3, 3]);
  assert.deepEqual(out, [0, 0.5, 1, 0.25, 0.4375, 0.625, 0.5, 0.375, 0.25]);
});

test("same size is the identity; channels and images stay apart", () => {
  const pixels = Array.from({ length: 2 * 3 * 4 * 2 }, (_, i) => (i % 7) / 7);
  const out = resize(pixels, [2, 3, 4, 2], [3, 4]);
  assert.deepEqual(out, Array.from(new Float32Array(pixels)));
});

test("28x28 to 20x20 matches tf.image.cropAndResize and differs from resizeBilinear", () => {
  const pixels = Array.from({ length: 28 * 28 }, (_, i) => ((i * 37) % 101) / 100);
  const out = resize(pixels, [1, 28, 28, 1], [20, 20]);
  const x = tf.tensor4d(pixels, [1, 28, 28, 1]);
  const crop = Array.from(tf.image.cropAndResize(x, [[0, 0, 1, 1]], [0], [20, 20], "bilinear").dataSync());
  const bilinear = Array.from(tf.image.resizeBilinear(x, [20, 20]).dataSync());
  assert.deepEqual(out, crop);
  assert.notDeepEqual(out, bilinear);
});

test("a bad request exits 2", () => {
  const run = runRaw(CROP, { images: "/nonexistent.f32", shape: [1, 2, 2, 1], size: [3, 3], output: "/tmp/x.f32" }, dir);
  assert.equal(run.status, 2);
  assert.equal(run.stdout, "");
});
