// Loads an exported model with the real @tensorflow/tfjs (found through NODE_PATH) the way Piximi's upload does,
// minus the browser: model.json's topology and manifest, the weights files it names, into tf.loadLayersModel.
// (tf.loadLayersModel('file://…') needs tfjs-node, which is not installed; a custom IO handler is what
// ENVIRONMENT.md found to work.)
// Usage: node tfjs-predict.js <model .json> <images: raw little-endian float32, NHWC> <count>
// Prints one JSON object: the probabilities (count × classes, row-major), their shape, the backend, and the
// topology TF.js serialises back from the loaded model.
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [modelPath, imagesPath, countText] = process.argv.slice(2);
  const folder = path.dirname(modelPath);
  const json = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
  const weightSpecs = [];
  const buffers = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(folder, p)));
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadLayersModel({
    load: async () => ({ modelTopology: json.modelTopology, weightSpecs, weightData, format: json.format }),
  });

  const count = Number(countText);
  const [, height, width, channels] = model.inputs[0].shape;
  const raw = fs.readFileSync(imagesPath);
  const pixels = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  if (pixels.length !== count * height * width * channels) throw new Error(`expected ${count}×${height}×${width}×${channels} floats, got ${pixels.length}`);
  const input = tf.tensor4d(pixels, [count, height, width, channels]);
  const output = model.predict(input);
  const probabilities = Array.from(await output.data());
  process.stdout.write(JSON.stringify({
    probabilities,
    shape: output.shape,
    backend: tf.getBackend(),
    topology: model.toJSON(null, false),
  }));
}

main().catch(e => { console.error(e && e.stack || String(e)); process.exit(1); });
