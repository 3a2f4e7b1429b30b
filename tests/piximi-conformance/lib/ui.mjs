// What Piximi's React components do between the user's clicks and the classifier code, written as plain functions.
// Each follows the Piximi file and lines it cites (piximi/piximi at 20f46898); the state setters of React become
// returned values, and the user's clicks become arguments.
import { randomUUID } from "node:crypto";
import { piximi } from "./impl.mjs";

const { JSZip, classifierHandler } = piximi;

// src/utils/objectUtils.ts:6-8
const isObjectEmpty = (obj) => Object.keys(obj).length === 0;

// LocalFileUpload.tsx:34-88 (handleFilesSelected) for the files of the <input type="file" multiple>, in the order
// the browser lists them, with the dialog's "Layers" format (isGraph false, as the dialog starts:
// ImportTensorflowClassificationModelDialog.tsx:43). Returns what the component would show: errMessage and successMessage ("" when not set, as in its state,
// lines 31-32) and the upload results.
export async function handleFilesSelected(files, isGraph = false) {
  let errMessage = "";
  let successMessage = "";
  let results;
  // Only a single file whose type is exactly "application/zip" takes the zip path (line 44).
  if (files.length === 1 && files[0].type === "application/zip") {
    const file = files[0];
    const zipFile = await new JSZip().loadAsync(file);
    results = await classifierHandler.modelsFromZip(zipFile);
  } else {
    const weightsFiles = [];
    let jsonFile;
    for (let i = 0; i < files.length; i++) {
      const file = files[i];
      // The last .json wins; everything else (a .zip, a .txt, ...) is a weights file (lines 51-58).
      if (file.name.endsWith(".json")) jsonFile = file;
      else weightsFiles.push(file);
    }
    if (!jsonFile || weightsFiles.length === 0) {
      errMessage = "Must include model description (.json) and at least one weights file (.bin)";
      return { errMessage, successMessage, results: undefined };
    }
    results = await classifierHandler.modelFromFiles(jsonFile, weightsFiles, isGraph);
    errMessage = "";
  }
  if (!isObjectEmpty(results.failedModels)) {
    errMessage = `Failed to upload models: ${Object.keys(results.failedModels).join(", ")}`;
  }
  if (results.loadedModels.length > 0) {
    classifierHandler.addModels(results.loadedModels);
    successMessage = `Successfully uploaded Classification ${isGraph ? "Graph" : "Layers"} Models: "${results.loadedModels
      .map((model) => model.name)
      .join(", ")}"`;
  }
  return { errMessage, successMessage, results };
}

// src/store/data/utils.ts:14-23 (generateUUID): a uuid v4 whose first character says unknown ("0") or not ("1").
const generateUUID = (options) => (options?.definesUnknown ? "0" : "1") + randomUUID().slice(1);

// src/store/data/utils.ts:42-56 (generateCategory). Colours are left out: nothing here depends on them.
const generateCategory = (name, kindId) => ({ name, id: generateUUID(), kind: kindId, containing: [], visible: true });

// The project's unlabelled images as Piximi holds them (tensorUtils.ts:67-105, convertToTensor): `data` a float32
// tensor [planes, H, W, C] in [0, 1], here one plane; bitDepth 8; the unknown category, Inference partition.
export const makeThings = (images, [h, w, c]) =>
  images.map((pixels, i) => ({
    id: `image-${i}`,
    name: `image-${i}`,
    kind: "Image",
    data: piximi.tf.tensor4d(pixels, [1, h, w, c], "float32"),
    bitDepth: 8,
    activePlane: 0,
    shape: { planes: 1, height: h, width: w, channels: c },
    partition: piximi.Partition.Inference,
    categoryId: piximi.UNKNOWN_IMAGE_CATEGORY_ID,
  }));

// A project's own categories (the known ones of the image kind), as Piximi creates them.
export const makeProjectCategories = (names) => names.map((name) => generateCategory(name, "Image"));

// src/views/ProjectViewer/hooks/useClassMapDialog.tsx, the dialog Predict opens for a model without a class map.
// "create": the box "Create new categories from model classes?" ticked (forced when the project has no categories,
// lines 45-47 and 159) and Confirm: handleConfirmation, lines 51-70.
// "manual": the box unticked; for each row the user picks the project category of the same name (if there is one
// and it is not yet taken: MenuItem disabled, line 120), then Confirm (enabled unless catMap is empty, line 170).
// Returns { classMap, newCategories } or false when the dialog cannot be confirmed (the user can only cancel).
export function confirmClassMap({ mode, modelClasses, projectCategories }) {
  if (mode === "create") {
    const newCategories = [];
    const confirmedCatMap = {};
    modelClasses.forEach((className, idx) => {
      const cat = generateCategory(className, "Image");
      newCategories.push(cat);
      confirmedCatMap[idx] = cat.id;
    });
    return { classMap: confirmedCatMap, newCategories };
  }
  // useEffect, lines 84-91: every model class index starts mapped to "".
  let catMap = modelClasses.reduce((map, className, idx) => {
    map[idx] = "";
    return map;
  }, {});
  const assignedClasses = [];
  // Lines 102-112: a row per Object.values(modelClasses), i.e. per class NAME `idx`, whose select reads
  // catMap[+idx] and reports its choice as handleSelectChange(event, +idx): the name is taken as the index. A
  // non-numeric name gives NaN, so every such row writes the one key "NaN" (kept as written, not fixed).
  for (const idx of Object.values(modelClasses)) {
    const category = projectCategories.find((c) => c.name === idx);
    if (!category || assignedClasses.includes(category.id)) continue;
    // handleSelectChange, lines 72-82
    const modelClassIndex = +idx;
    const catId = category.id;
    catMap = { ...catMap, [modelClassIndex]: catId };
    assignedClasses.push(catId);
  }
  if (isObjectEmpty(catMap)) return false;
  return { classMap: catMap, newCategories: [] };
}

// src/views/ProjectViewer/hooks/usePredictClassifier.ts:64-127 (predictClassifier) once the class map is set:
// loadInference on the project's unlabelled things, predict with the class map's values as categories, and the
// things' new category ids when there is one per thing. Errors become the alerts of handleError (lines 36-62).
export async function predictWithClassMap(selectedModel, classMap, things) {
  const alerts = [];
  const handleError = (error, name) =>
    alerts.push({ name, description: `${error?.name}:\n${error?.message}`, message: error?.message ?? String(error) });
  try {
    selectedModel.loadInference(things, []);
  } catch (error) {
    handleError(error, "Data Preparation Error");
  }
  const thingIds = things.map((thing) => thing.id);
  let results = { categoryIds: [], probabilities: [] };
  try {
    results = await selectedModel.predict(Object.values(classMap).map((id) => ({ id })));
  } catch (error) {
    handleError(error, "Error during prediction");
  }
  const updated = thingIds.length === results.categoryIds.length;
  return {
    alerts,
    categoryIds: updated ? results.categoryIds : null,
    probabilities: updated ? results.probabilities : null,
  };
}
