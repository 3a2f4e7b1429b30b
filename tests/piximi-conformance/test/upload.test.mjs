// Controls for upload.mjs, run as the C# tests run it. The model is a SimpleCNN made, trained a little and saved by
// Piximi's own classes (fixtures.mjs), so a correct Piximi export is known to look like this one.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import { CLASSES, UPLOAD, runRaw, savePiximiModel, syntheticImages, tempDir, upload, zipFiles } from "./fixtures.mjs";

let dir, model, base;
// A copy of the saved model whose .json lacks `key` (weights renamed to match), as an export missing it would be.
function without(key, name) {
  const json = JSON.parse(readFileSync(model.json, "utf8"));
  delete json[key];
  json.weightsManifest[0].paths = [`./${name}.weights.bin`];
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(json));
  copyFileSync(model.weights, path.join(dir, `${name}.weights.bin`));
  return [path.join(dir, `${name}.json`), path.join(dir, `${name}.weights.bin`)];
}
const expectedNames = () => model.expected.map((i) => CLASSES[i]);

before(async () => {
  dir = tempDir();
  model = await savePiximiModel(dir);
  // The test is only meaningful if the model tells the classes apart (else any mapping would "predict right").
  assert.ok(new Set(model.expected).size >= 2, `the fixture model predicts one class only: ${model.expected}`);
  base = { images: model.images, shape: model.shape, classMap: "create", projectCategories: [] };
});

describe("positive control: a model saved by Piximi's getSavedModelFiles", () => {
  const check = (r) => {
    assert.equal(r.uploaded, true, JSON.stringify(r.failedModels));
    assert.equal(r.metadataAccepted, true, r.warnings.join("\n"));
    assert.deepEqual(r.failedModels, {});
    assert.equal(r.errorMessage, null);
    assert.deepEqual(r.classes, CLASSES);
    assert.deepEqual(r.modelInputShape, [null, 28, 28, 1]);
    assert.deepEqual(r.preprocessSettings.inputShape, { planes: 1, height: 28, width: 28, channels: 1 });
    assert.equal(r.optimizerSettings.optimizationAlgorithm, "Adam");
    assert.equal(r.predictError, null);
    assert.deepEqual(r.predictions, expectedNames());
    assert.equal(r.probabilities.length, model.shape[0]);
    assert.ok(r.probabilities.every((p) => p > 0 && p <= 1));
    assert.equal(r.piximi, "1.1.4 (20f46898)");
    assert.equal(r.tfjs, "4.2.0");
  };

  test("as the two files (.json and .weights.bin)", () => {
    const r = upload(dir, { ...base, files: [model.json, model.weights] });
    check(r);
    assert.equal(r.modelName, "piximi-model");
    assert.equal(r.successMessage, 'Successfully uploaded Classification Layers Models: "piximi-model"');
  });

  test("as a zip of the two files", async () => {
    const zip = await zipFiles(path.join(dir, "piximi-model.zip"), [
      ["piximi-model.json", model.json],
      ["piximi-model.weights.bin", model.weights],
    ]);
    check(upload(dir, { ...base, files: [zip] }));
  });

  test("images of another size are resized by Piximi (cropAndResize) and still predicted", () => {
    const big = syntheticImages(6, 40, 99);
    const file = path.join(dir, "big.f32");
    writeFileSync(file, Buffer.from(big.pixels.buffer));
    const r = upload(dir, { ...base, files: [model.json, model.weights], images: file, shape: big.shape });
    assert.equal(r.predictError, null);
    assert.equal(r.predictions.length, 6);
    assert.ok(r.predictions.every((p) => CLASSES.includes(p)));
  });
});

describe("negative control: optimizerSettings missing from the .json", () => {
  test("Piximi rejects all the metadata, falls back to a 3-element input shape, and Predict fails", () => {
    const r = upload(dir, { ...base, files: without("optimizerSettings", "no-optimizer") });
    assert.equal(r.uploaded, true); // tfjs loads the model: the upload itself succeeds
    assert.equal(r.errorMessage, null);
    assert.equal(r.metadataAccepted, false);
    assert.ok(
      r.warnings.some((w) => w.startsWith("Error: Invalid value undefined supplied to") && w.includes("/optimizerSettings: {")),
      r.warnings.join("\n"),
    );
    // UploadedClassifier.ts:92-117: classes from the last dense layer, and [H, W, C] read as [planes, height, width, channels].
    assert.deepEqual(r.classes, ["0", "1", "2"]);
    assert.deepEqual(r.preprocessSettings.inputShape, { planes: 28, height: 28, width: 1 });
    assert.equal(r.predictions, null);
    assert.match(r.predictError, /expected \S+ to have shape \[null,28,28,1\] but got array with shape \[6,28,1,1\]/);
    assert.deepEqual(r.alerts.map((a) => a.name), ["Error during prediction"]);
  });

  test("each of the three keys is required", () => {
    for (const key of ["preprocessSettings", "classes"]) {
      const r = upload(dir, { ...base, files: without(key, `no-${key}`) });
      assert.equal(r.metadataAccepted, false, key);
      assert.ok(r.warnings.some((w) => w.includes(`/${key}: `)), `${key}: ${r.warnings.join("\n")}`);
    }
  });
});

describe("class map dialog", () => {
  test('"create" makes one category per class and predictions carry the class names', () => {
    const r = upload(dir, { ...base, files: [model.json, model.weights], classMap: "create", projectCategories: CLASSES });
    // The project's three categories plus three new ones of the same names (Piximi does not reuse them).
    assert.equal(r.categories.length, 6);
    const byId = Object.fromEntries(r.categories.map((c) => [c.id, c.name]));
    assert.deepEqual(Object.values(r.classMap).map((id) => byId[id]), CLASSES);
    assert.deepEqual(Object.keys(r.classMap), ["0", "1", "2"]);
    assert.deepEqual(r.predictions, expectedNames());
  });

  test('"manual" with non-numeric class names maps nothing (useClassMapDialog.tsx:102-112 keys rows by +name)', () => {
    const r = upload(dir, { ...base, files: [model.json, model.weights], classMap: "manual", projectCategories: CLASSES });
    // Every row wrote catMap[NaN]; indices 0..2 stay "" and the last pick sits under "NaN".
    assert.deepEqual(Object.keys(r.classMap), ["0", "1", "2", "NaN"]);
    assert.deepEqual([r.classMap[0], r.classMap[1], r.classMap[2]], ["", "", ""]);
    assert.equal(r.categories.find((c) => c.id === r.classMap.NaN).name, CLASSES.at(-1));
    assert.equal(r.predictError, null); // no error shown: the images just get category id ""
    assert.deepEqual(r.predictedCategoryIds, Array(6).fill(""));
    assert.deepEqual(r.predictions, Array(6).fill(null));
  });

  test('"manual" works when the class names are their own indices ("0", "1", "2")', () => {
    const json = JSON.parse(readFileSync(model.json, "utf8"));
    json.classes = ["0", "1", "2"];
    json.weightsManifest[0].paths = ["./numeric.weights.bin"];
    writeFileSync(path.join(dir, "numeric.json"), JSON.stringify(json));
    copyFileSync(model.weights, path.join(dir, "numeric.weights.bin"));
    const r = upload(dir, {
      ...base,
      files: [path.join(dir, "numeric.json"), path.join(dir, "numeric.weights.bin")],
      classMap: "manual",
      projectCategories: ["0", "1", "2"],
    });
    assert.equal(r.metadataAccepted, true);
    assert.deepEqual(Object.keys(r.classMap), ["0", "1", "2"]);
    assert.deepEqual(r.predictions, model.expected.map(String));
  });
});

describe("file handling of LocalFileUpload.tsx and classifierHandler.ts", () => {
  test('a zip entry named with a dot ("my.model.json") is taken as weights of "my" (split on ".", lines 181-183)', async () => {
    const zip = await zipFiles(path.join(dir, "dotted.zip"), [
      ["my.model.json", model.json],
      ["my.model.weights.bin", model.weights],
    ]);
    const r = upload(dir, { ...base, files: [zip] });
    assert.equal(r.uploaded, false);
    assert.deepEqual(r.failedModels, { my: "Missing '.json' description file." });
    assert.equal(r.errorMessage, "Failed to upload models: my");
  });

  test('a .zip the browser reports with another type than "application/zip" is not unzipped (line 44)', async () => {
    const zip = await zipFiles(path.join(dir, "mime.zip"), [
      ["mime.json", model.json],
      ["mime.weights.bin", model.weights],
    ]);
    const r = upload(dir, { ...base, files: [zip], fileTypes: ["application/x-zip-compressed"] });
    assert.equal(r.uploaded, false);
    assert.equal(r.errorMessage, "Must include model description (.json) and at least one weights file (.bin)");
  });

  test("with two .json files the last one picked is the description (lines 51-58)", () => {
    const other = without("classes", "other"); // a second, different .json
    const first = upload(dir, { ...base, files: [other[0], model.json, model.weights] });
    assert.equal(first.uploaded, true);
    assert.equal(first.modelName, "piximi-model");
    const last = upload(dir, { ...base, files: [model.json, model.weights, other[0]] });
    assert.equal(last.uploaded, false);
    assert.deepEqual(last.failedModels, {
      other: "Model upload failed: Weight file with basename 'other.weights.bin' is not provided.",
    });
  });

  test("a .json that is not JSON leaves the upload pending forever (tfjs's FileReader onload throws)", () => {
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    const r = upload(dir, { ...base, files: [bad, model.weights] });
    assert.equal(r.uploaded, false);
    assert.equal(r.errorMessage, null);
    assert.match(r.stalled, /never finished .*SyntaxError/);
  });

  test("a bad request exits 2 and prints nothing on stdout", () => {
    const run = runRaw(UPLOAD, { ...base, files: ["relative.json"] }, dir);
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stdout, "");
  });
});
