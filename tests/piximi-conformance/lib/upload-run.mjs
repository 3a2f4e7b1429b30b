// The body of upload.mjs: the user picks files in Piximi's "Upload Local" tab, opens the model, then presses
// Predict with the given images as the project's unlabelled images. Fills `out` (the command's JSON) as it goes,
// so that a run that never finishes can still report how far it came.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { inspect } from "node:util";
import { piximi } from "./impl.mjs";
import { uncaughtHandlerErrors } from "./polyfills.mjs";
import { confirmClassMap, handleFilesSelected, makeProjectCategories, makeThings, predictWithClassMap } from "./ui.mjs";
import { RequestError, readImages } from "./request.mjs";

const { tf } = piximi;

// What a browser's file picker would report as File.type. Piximi looks at the type only for a .zip
// (LocalFileUpload.tsx:44, exactly "application/zip"); a request may say otherwise per file ("fileTypes").
const MIME = { ".zip": "application/zip", ".json": "application/json", ".bin": "application/octet-stream" };

export function emptyResult() {
  return {
    piximi: "1.1.4 (20f46898)",
    implementation: piximi.implementation ?? null,
    tfjs: tf.version.tfjs,
    uploaded: false,
    failedModels: {},
    errorMessage: null,
    successMessage: null,
    modelName: null,
    loadedModels: [],
    metadataAccepted: null,
    warnings: [],
    classes: null,
    preprocessSettings: null,
    optimizerSettings: null,
    modelInputShape: null,
    classMap: null,
    categories: null,
    predictions: null,
    predictedCategoryIds: null,
    probabilities: null,
    predictError: null,
    alerts: [],
    stalled: null,
  };
}

const describe = (x) => (x instanceof Error ? `${x.name}: ${x.message}` : typeof x === "string" ? x : inspect(x));

function checkRequest(req) {
  if (!Array.isArray(req.files) || req.files.some((f) => typeof f !== "string" || !path.isAbsolute(f))) {
    throw new RequestError("files must be a list of absolute paths");
  }
  if (req.fileTypes !== undefined && (!Array.isArray(req.fileTypes) || req.fileTypes.length !== req.files.length)) {
    throw new RequestError("fileTypes, when given, must have one type per file");
  }
  if (req.classMap !== "create" && req.classMap !== "manual") throw new RequestError('classMap must be "create" or "manual"');
  const cats = req.projectCategories ?? [];
  if (!Array.isArray(cats) || cats.some((c) => typeof c !== "string")) {
    throw new RequestError("projectCategories must be a list of names");
  }
  if (req.classMap === "manual" && cats.length === 0) {
    // useClassMapDialog.tsx:45-47,159: with no project categories the box is ticked and cannot be unticked.
    throw new RequestError('"manual" needs projectCategories: Piximi forces "create" when the project has none');
  }
}

export async function runUpload(req, out) {
  checkRequest(req);
  const images = await readImages(req.images, req.shape);
  const files = [];
  for (const [i, f] of req.files.entries()) {
    let bytes;
    try {
      bytes = await readFile(f);
    } catch (err) {
      throw new RequestError(`cannot read ${f}: ${err.message}`);
    }
    const type = req.fileTypes?.[i] ?? MIME[path.extname(f).toLowerCase()] ?? "";
    files.push(new File([bytes], path.basename(f), { type }));
  }

  // tfjs's cpu backend greets Node users with a console.warn on its first tensor (a browser shows no such thing):
  // let that happen before Piximi's warnings are collected.
  await tf.ready();
  tf.scalar(0).dispose();
  // Piximi logs through console.warn / console.error (logUtils.ts:37-82); keep what it says while it runs.
  for (const level of ["warn", "error"]) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      out.warnings.push(args.map(describe).join(" "));
      original(...args);
    };
  }

  // 1. Upload (LocalFileUpload.tsx:34-88). An exception escaping the handler is an unhandled rejection in a browser.
  let upload;
  try {
    upload = await handleFilesSelected(files);
  } catch (err) {
    out.warnings.push(`Uncaught (in promise) ${describe(err)}`);
    return out;
  }
  out.errorMessage = upload.errMessage || null;
  out.successMessage = upload.successMessage || null;
  if (!upload.results) return out;
  for (const [name, { reason, err }] of Object.entries(upload.results.failedModels)) {
    out.failedModels[name] = err === undefined ? reason : `${reason}: ${err?.message ?? String(err)}`;
  }
  const loaded = upload.results.loadedModels;
  out.loadedModels = loaded.map((m) => m.name);
  out.uploaded = loaded.length > 0;
  if (!out.uploaded) return out;

  // 2. "Open Classification model" selects the first uploaded model:
  //    ImportTensorflowClassificationModelDialog.tsx:48-56.
  const model = loaded[0];
  out.modelName = model.name;
  // Whether UploadedClassifier.upload took the metadata (lines 80-91): the same validator on the same file. When it
  // did not, upload logged the validator's error as a warning (line 85); if that is not so, this harness is wrong.
  const desc = await model._descFile.text();
  try {
    piximi.validateModelMetadata(desc);
    out.metadataAccepted = true;
  } catch (err) {
    out.metadataAccepted = false;
    if (!out.warnings.some((w) => w.includes(err.message))) {
      throw new Error(`harness: the metadata was rejected (${err.message}) but upload() logged no such warning`);
    }
  }
  out.classes = model.classes;
  out.preprocessSettings = model.preprocessingOptions ?? null;
  out.optimizerSettings = model._optimizerSettings ?? null;
  out.modelInputShape = model._model.inputs[0].shape;

  // 3. Predict: the class map dialog, then usePredictClassifier.ts:88-126 on the images as Piximi holds them.
  const projectCategories = makeProjectCategories(req.projectCategories ?? []);
  const confirmed = confirmClassMap({ mode: req.classMap, modelClasses: model.classes, projectCategories });
  const categories = [...projectCategories, ...(confirmed ? confirmed.newCategories : [])];
  out.categories = categories.map(({ id, name }) => ({ id, name }));
  if (!confirmed) {
    out.predictError = "the class map dialog cannot be confirmed (no mapping), so Predict stops (usePredictClassifier.ts:75-77)";
    return out;
  }
  out.classMap = confirmed.classMap;

  const things = makeThings(images, req.shape.slice(1));
  const predicted = await predictWithClassMap(model, confirmed.classMap, things);
  out.alerts = predicted.alerts.map(({ name, description }) => ({ name, description }));
  out.predictError = predicted.alerts.length ? predicted.alerts.map((a) => a.message).join("\n") : null;
  if (predicted.categoryIds) {
    const names = new Map(categories.map((cat) => [cat.id, cat.name]));
    out.predictedCategoryIds = predicted.categoryIds;
    out.predictions = predicted.categoryIds.map((id) => names.get(id) ?? null);
    out.probabilities = predicted.probabilities;
  }
  return out;
}

// A browser would leave a promise that never settles pending without a word; here the event loop runs dry.
export function stallReason() {
  const errs = uncaughtHandlerErrors.map(describe);
  return `the upload never finished${errs.length ? ` (an exception in a FileReader handler: ${errs.join("; ")})` : ""}`;
}
