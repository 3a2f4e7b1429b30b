// What Piximi's metadata check (SerializedModelMetadataRType through validateModelMetadata) accepts: the rules an
// export's .json must meet, each shown on a copy of what Piximi itself saves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { piximi } from "../lib/impl.mjs";

const { validateModelMetadata } = piximi;
// What getSavedModelFiles writes for a default SimpleCNN (Model.ts:202-210), without the tfjs keys.
const saved = () => ({
  preprocessSettings: {
    inputShape: { planes: 1, height: 28, width: 28, channels: 1 },
    numCrops: 1,
    cropSchema: "None",
    shuffle: true,
    rescale: true,
    batchSize: 32,
  },
  classes: ["a", "b"],
  optimizerSettings: {
    epochs: 10,
    batchSize: 32,
    learningRate: 0.01,
    lossFunction: "Categorical (softmax) cross entropy",
    metrics: ["Categorical accuracy"],
    optimizationAlgorithm: "Adam",
  },
});
const accepts = (m) => assert.doesNotThrow(() => validateModelMetadata(JSON.stringify(m)));
const rejects = (m, what) => assert.throws(() => validateModelMetadata(JSON.stringify(m)), what);

test("what Piximi saves passes, with tfjs's own keys and any extra keys beside it", () => {
  accepts(saved());
  accepts({ ...saved(), modelTopology: {}, weightsManifest: [], format: "layers-model", anything: 1 });
});

test("every key of the three groups is required", () => {
  for (const group of ["preprocessSettings", "classes", "optimizerSettings"]) {
    const m = saved();
    delete m[group];
    rejects(m, new RegExp(`Invalid value undefined supplied to .*/${group}: `, "s"));
  }
  for (const group of ["preprocessSettings", "optimizerSettings"]) {
    for (const key of Object.keys(saved()[group])) {
      if (group === "preprocessSettings" && key === "inputShape") continue;
      const m = saved();
      delete m[group][key];
      rejects(m, new RegExp(`/${group}: .*/${key}: `));
    }
  }
  for (const key of ["width", "height", "channels"]) {
    const m = saved();
    delete m.preprocessSettings.inputShape[key];
    rejects(m, new RegExp(`/inputShape: .*/${key}: `));
  }
});

test("planes is not required; values must have the right JSON type", () => {
  const m = saved();
  delete m.preprocessSettings.inputShape.planes;
  accepts(m);
  const text = saved();
  text.preprocessSettings.inputShape.width = "28";
  rejects(text, /Invalid value "28" supplied/);
  const bool = saved();
  bool.preprocessSettings.shuffle = "true";
  rejects(bool);
  const num = saved();
  num.classes = [0, 1];
  rejects(num);
});

test("enum values are Piximi's display strings, not tfjs's names", () => {
  const m = (f) => {
    const x = saved();
    f(x);
    return x;
  };
  rejects(m((x) => (x.optimizerSettings.lossFunction = "categoricalCrossentropy")));
  rejects(m((x) => (x.optimizerSettings.optimizationAlgorithm = "adam")));
  rejects(m((x) => (x.optimizerSettings.metrics = ["accuracy"])));
  rejects(m((x) => (x.preprocessSettings.cropSchema = "Smallest"))); // commented out in enums.ts:3
  accepts(m((x) => (x.optimizerSettings.optimizationAlgorithm = "Stochastic gradient descent (SGD)")));
  accepts(m((x) => (x.optimizerSettings.metrics = ["Binary cros-sentropy"]))); // spelled so in enums.ts:53
  accepts(m((x) => (x.optimizerSettings.lossFunction = ["Hinge", "Log"])));
  accepts(m((x) => (x.optimizerSettings.lossFunction = { out: "Hinge" })));
  accepts(m((x) => (x.preprocessSettings.cropSchema = "Match")));
});
