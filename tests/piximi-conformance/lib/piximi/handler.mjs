// src/utils/models/classification/classifierHandler.ts: the object Piximi's upload dialog hands files to.
import { UploadedClassifier } from "./classifier.mjs";
import { logger } from "./log.mjs";

// src/utils/stringUtils.ts:16-32
const getUniqueName = (name, existingNames, formatter = (base, n) => `${base}_${n}`) => {
  const nameSet = new Set(existingNames);
  if (!nameSet.has(name)) return name;
  let index = 1;
  let newName = `${name}_${index}`;
  while (nameSet.has(newName)) {
    index++;
    newName = formatter(name, index);
  }
  return newName;
};

// src/utils/objectUtils.ts:42-63. A File is an object with no own keys, so assigning a second File onto a first
// changes nothing: in a zip the first .json (or weights file) of a model name wins.
const recursiveAssign = (existingObject, updates) => {
  for (const key of Object.keys(updates)) {
    if (typeof existingObject[key] === "object") {
      recursiveAssign(existingObject[key], updates[key]);
    } else if (!existingObject[key]) {
      Object.assign(existingObject, { [key]: updates[key] });
    } else {
      Object.assign(existingObject[key], updates[key]);
    }
  }
};

class ClassifierHandler {
  _availableClassificationModels = {};

  getModelNames() {
    return Object.keys(this._availableClassificationModels); // classifierHandler.ts:62-64
  }

  // classifierHandler.ts:80-92 (the array form)
  addModels(models) {
    for (const model of models) this._availableClassificationModels[model.name] = model;
  }

  // classifierHandler.ts:105-135. The model is named after the .json up to its first dot; a failure is keyed by
  // that name (not the unique one).
  async modelFromFiles(descFile, weightsFiles, isGraph, modelName) {
    const failedModels = {};
    const loadedModels = [];
    modelName = modelName ?? descFile.name.replace(/\..+$/, "");
    const uniqueName = getUniqueName(modelName, this.getModelNames());
    const model = new UploadedClassifier({
      descFile,
      weightsFiles,
      name: uniqueName,
      task: 0, // ModelTask.Classification
      graph: !!isGraph,
      pretrained: true,
      trainable: true,
    });
    try {
      await model.upload();
      loadedModels.push(model);
    } catch (err) {
      failedModels[modelName] = { reason: "Model upload failed", err };
    }
    return { loadedModels, failedModels };
  }

  // classifierHandler.ts:166-223. Entries are grouped by the name before the FIRST dot and told apart by the part
  // after it (`fileName.split(".")`, lines 181-183): "a.json" is a description, anything else matching the
  // (unescaped) pattern ".json$|.weights.bin$" is taken as weights, e.g. "my.model.json" is weights of "my".
  async modelsFromZip(zip) {
    const modelFileRegEx = new RegExp(".json$|.weights.bin$");
    const models = {};
    const failedModels = {};
    const loadedModels = [];
    for (const [fileName, file] of Object.entries(zip.files)) {
      if (!modelFileRegEx.test(fileName)) continue;
      const parsedFileName = fileName.split(".");
      const modelName = parsedFileName[0];
      const extension = parsedFileName.at(1);
      const fileBuffer = await file.async("arraybuffer");
      if (extension === "json") {
        if (modelName in models && "modelJson" in models[modelName]) {
          logger(`Duplicate '.${extension}' file for ${modelName}`, { level: "warn" });
        }
        const modelFile = new File([fileBuffer], fileName, { type: "application/json" });
        recursiveAssign(models, { [modelName]: { modelJson: modelFile } });
      } else {
        // "application.octet-stream" is spelled so at classifierHandler.ts:200
        const modelFile = new File([fileBuffer], fileName, { type: "application.octet-stream" });
        recursiveAssign(models, { [modelName]: { modelWeights: modelFile } });
      }
    }
    for (const modelName of Object.keys(models)) {
      const { modelJson, modelWeights } = models[modelName];
      if (!modelJson) {
        failedModels[modelName] = { reason: "Missing '.json' description file." };
      } else if (!modelWeights) {
        failedModels[modelName] = { reason: "Missing '.bin' weights file." };
      } else {
        const result = await this.modelFromFiles(modelJson, [modelWeights]);
        loadedModels.push(...result.loadedModels);
        Object.assign(failedModels, result.failedModels);
      }
    }
    return { loadedModels, failedModels };
  }
}

// classifierHandler.ts:253-254: one handler for the page; a fresh page (and project) has no classifiers in it.
const classifierHandler = new ClassifierHandler();
export default classifierHandler;
