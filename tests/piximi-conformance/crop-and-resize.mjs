#!/usr/bin/env node
// node tests/piximi-conformance/crop-and-resize.mjs --request <request.json>
// Reference values for Piximi's resize: each image through Piximi's inference preprocessing (preprocess.ts:340-390
// with cropSchema "None", numCrops 1, rescale on: cropResize, preprocess.ts:143-209, i.e. tf.image.cropAndResize of
// the whole image, box [0,0,1,1], to [h, w], bilinear) on tfjs 4.2.0's cpu backend. Request:
//   { "images": "/abs/in.f32", "shape": [N, H, W, C], "size": [h, w], "output": "/abs/out.f32" }
// Writes float32 little-endian NHWC [N, h, w, C] to output and prints one JSON line; exit 2 for a bad request.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { piximi } from "./lib/impl.mjs";
import { makeThings } from "./lib/ui.mjs";
import { RequestError, parseArgs, readImages, readRequest, runCommand } from "./lib/request.mjs";

const { tf } = piximi;

runCommand(async () => {
  const req = await readRequest(parseArgs(process.argv.slice(2)));
  const images = await readImages(req.images, req.shape);
  const size = req.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0)) {
    throw new RequestError("size must be [h, w], both > 0");
  }
  if (typeof req.output !== "string" || !path.isAbsolute(req.output)) throw new RequestError("output must be an absolute path");
  const [n, height, width, channels] = req.shape;
  const [h, w] = size;

  await tf.setBackend("cpu");
  const things = makeThings(images, [height, width, channels]);
  const preprocessOptions = {
    cropSchema: piximi.CropSchema.None,
    numCrops: 1,
    inputShape: { planes: 1, height: h, width: w, channels },
    shuffle: false,
    rescale: true,
    batchSize: Math.max(n, 1),
  };
  const dataset = piximi.preprocessData({ images: things, categories: [], preprocessOptions, inference: true });
  const out = new Float32Array(n * h * w * channels);
  let offset = 0;
  for (const batch of await dataset.toArray()) {
    const values = await batch.xs.data();
    out.set(values, offset);
    offset += values.length;
    batch.xs.dispose();
  }
  if (offset !== out.length) throw new Error(`harness: Piximi's preprocessing gave ${offset} values, expected ${out.length}`);
  const bytes = Buffer.alloc(out.length * 4);
  out.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  await writeFile(req.output, bytes);
  return {
    piximi: "1.1.4 (20f46898)",
    implementation: piximi.implementation ?? null,
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    output: req.output,
    shape: [n, h, w, channels],
  };
});
