// Models and images for the self-tests, made with Piximi's own classes (through lib/impl.mjs): a SimpleCNN set up
// as Piximi's training sets it up, trained a little on three easy synthetic classes, saved with
// getSavedModelFiles as Piximi's "Save model" does.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { piximi } from "../lib/impl.mjs";

const { tf, SimpleCNN, getDefaultModelInfo, JSZip } = piximi;
export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const UPLOAD = path.join(HERE, "..", "upload.mjs");
export const CROP = path.join(HERE, "..", "crop-and-resize.mjs");

export const tempDir = () => mkdtempSync(path.join(tmpdir(), "piximi-conformance-"));

// A small deterministic generator (mulberry32), so the images and thus the test do not change between runs.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Class 0: a bright block top-left; 1: bottom-right; 2: a bright bar across the middle. Values in [0, 1], on noise.
export function syntheticImages(count, size = 28, seed = 1) {
  const rand = rng(seed);
  const pixels = new Float32Array(count * size * size);
  const labels = [];
  for (let n = 0; n < count; n++) {
    const label = n % 3;
    labels.push(label);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const on =
          label === 0 ? y < size / 2 && x < size / 2 : label === 1 ? y >= size / 2 && x >= size / 2 : Math.abs(y - size / 2) < size / 6;
        pixels[(n * size + y) * size + x] = Math.min(1, (on ? 0.7 : 0.1) + 0.2 * rand());
      }
    }
  }
  return { pixels, labels, shape: [count, size, size, 1] };
}

export const CLASSES = ["T-shirt/top", "Trouser", "Pullover"];

// Saves <name>.json and <name>.weights.bin into dir; returns their paths and what the model predicts (class index
// per image) for `probe` images of the model's own size, computed with tfjs on the model in memory.
export async function savePiximiModel(dir, { name = "piximi-model", classes = CLASSES, epochs = 2 } = {}) {
  const cnn = new SimpleCNN(name);
  const defaults = getDefaultModelInfo();
  const optimizerSettings = { ...defaults.optimizerSettings, epochs, batchSize: 10 };
  // As prepareModel does (src/utils/models/classification/utils.ts:202-248) for a 28x28x1 project.
  cnn.loadModel({
    inputShape: { planes: 1, height: 28, width: 28, channels: 1 },
    numClasses: classes.length,
    randomizeWeights: false,
    compileOptions: optimizerSettings,
    preprocessOptions: { ...defaults.preprocessSettings, inputShape: { planes: 1, height: 28, width: 28, channels: 1 } },
  });
  cnn.classes = classes;
  const train = syntheticImages(30, 28, 7);
  const xs = tf.tensor4d(train.pixels, train.shape);
  const ys = tf.oneHot(tf.tensor1d(train.labels, "int32"), classes.length).toFloat();
  await cnn._model.fit(xs, ys, { epochs, batchSize: 10, shuffle: false, verbose: 0 });
  xs.dispose();
  ys.dispose();

  const saved = await cnn.getSavedModelFiles();
  const json = path.join(dir, saved.modelJsonFileName);
  const weights = path.join(dir, saved.weightsFileName);
  writeFileSync(json, Buffer.from(await saved.modelJsonBlob.arrayBuffer()));
  writeFileSync(weights, Buffer.from(await saved.weightsBlob.arrayBuffer()));

  const probe = syntheticImages(6, 28, 99);
  const probs = tf.tidy(() => cnn._model.predict(tf.tensor4d(probe.pixels, probe.shape)));
  const expected = Array.from(await probs.argMax(1).data());
  probs.dispose();
  const imagesFile = path.join(dir, "probe.f32");
  writeFileSync(imagesFile, Buffer.from(probe.pixels.buffer));
  return { json, weights, expected, probeLabels: probe.labels, images: imagesFile, shape: probe.shape };
}

// A zip holding the given files under the given names (JSZip, as Piximi's own "Save model" zips models).
export async function zipFiles(zipPath, entries) {
  const zip = new JSZip();
  for (const [name, file] of entries) zip.file(name, readFileSync(file));
  writeFileSync(zipPath, await zip.generateAsync({ type: "nodebuffer" }));
  return zipPath;
}

// Runs upload.mjs as the C# tests do; returns the parsed JSON (and fails loudly on a harness error).
export function upload(dir, request) {
  const file = path.join(dir, `request-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(request));
  const run = spawnSync(process.execPath, [UPLOAD, "--request", file], { encoding: "utf8", env: process.env });
  if (run.status !== 0) throw new Error(`upload.mjs exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

export function runRaw(script, request, dir) {
  const file = path.join(dir, `request-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(request));
  return spawnSync(process.execPath, [script, "--request", file], { encoding: "utf8", env: process.env });
}

export { execFileSync };
