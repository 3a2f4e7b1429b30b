// Piximi's classifier objects as far as saving, uploading and predicting go:
//   src/utils/models/Model/Model.ts                               (Model: getSavedModelFiles)
//   src/utils/models/classification/AbstractClassifier/AbstractClassifier.ts (SequentialClassifier)
//   src/utils/models/classification/SimpleCNN/SimpleCNN.ts, loadSimpleCNN.ts (SimpleCNN)
//   src/utils/models/classification/UploadedClassifier.ts         (UploadedClassifier)
import * as tf from "@tensorflow/tfjs";
import { logger } from "./log.mjs";
import { preprocessData } from "./preprocess.mjs";
import { validateModelMetadata } from "./metadata.mjs";
import { convertArrayToShape, createCompileArgs, getDefaultModelInfo, getLayersModelSummary } from "./settings.mjs";

export class Model {
  // Model.ts:36-57
  constructor({ name, task, kind, graph, pretrained, trainable, src, requiredChannels }) {
    Object.assign(this, { name, task, kind, graph, trainable, src });
    this._pretrained = pretrained;
    this._requiredChannels = requiredChannels;
    this._model = undefined;
    this._history = { epochs: [], history: [] };
  }

  get requiredChannels() {
    return this._requiredChannels; // Model.ts:90-92
  }

  get preprocessingOptions() {
    return this._preprocessingOptions; // Model.ts:109-111
  }

  // Model.ts:137-236: the files Piximi's "Save model" writes: <name>.json (tfjs's model JSON plus Piximi's
  // preprocessSettings, classes and optimizerSettings, each only when set) and <name>.weights.bin.
  async getSavedModelFiles(modelName) {
    const savedName = modelName ?? this.name;
    const weightsFileName = savedName + ".weights.bin";
    const modelJsonFileName = savedName + ".json";
    const saveHandler = async (artifacts) => {
      const weightsBlob = new Blob([artifacts.weightData], { type: "application/octet-stream" });
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error(
          "BrowserDownloads.save() does not support saving model topology in binary formats yet.",
        );
      }
      const modelJSON = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ["./" + weightsFileName], weights: artifacts.weightSpecs }],
      };
      for (const key of ["signature", "userDefinedMetadata", "modelInitializer", "initializerSignature", "trainingConfig"]) {
        if (artifacts[key] != null) modelJSON[key] = artifacts[key];
      }
      if (this._preprocessingOptions) modelJSON.preprocessSettings = this._preprocessingOptions;
      if (this._classes) modelJSON.classes = this._classes;
      if (this._optimizerSettings) modelJSON.optimizerSettings = this._optimizerSettings;
      const modelJsonBlob = new Blob([JSON.stringify(modelJSON)], { type: "application/json" });
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts), modelJsonBlob, weightsBlob };
    };
    if (!this._model) throw Error(`Model ${this.name} not loaded`);
    const output = await this._model.save(tf.io.withSaveHandler(saveHandler));
    return {
      weightsBlob: output.weightsBlob,
      modelJsonBlob: output.modelJsonBlob,
      weightsFileName,
      modelJsonFileName,
    };
  }
}

export class SequentialClassifier extends Model {
  _classes = []; // AbstractClassifier.ts:36

  // AbstractClassifier.ts:72-83
  loadInference(images, categories) {
    if (!this._preprocessingOptions) return;
    this._inferenceDataset = preprocessData({
      images,
      categories,
      preprocessOptions: this._preprocessingOptions,
      inference: true,
    });
  }

  // AbstractClassifier.ts:123-173: argmax and max probability per item; category `categories[argmax].id`.
  async predict(categories) {
    if (!this._model) throw Error(`"${this.name}" Model not loaded`);
    if (!this._inferenceDataset) throw Error(`"${this.name}" Model's inferences data not loaded`);
    const model = this._model;
    const inferredBatchTensors = await this._inferenceDataset
      .map((items) => {
        const batchProbs = model.predict(items.xs);
        const batchPred = tf.argMax(batchProbs, 1);
        const batchMaxProb = tf.max(batchProbs, 1);
        batchProbs.dispose();
        return { preds: batchPred, probs: batchMaxProb };
      })
      .toArray();
    // reduce without an initial value, as Piximi does: no images throws "Reduce of empty array ..."
    const inferredTensors = inferredBatchTensors.reduce((prev, curr) => {
      const result = { preds: prev.preds.concat(curr.preds), probs: prev.probs.concat(curr.probs) };
      for (const t of [prev.preds, prev.probs, curr.preds, curr.probs]) t.dispose();
      return result;
    });
    const predictions = await inferredTensors.preds.array();
    const probabilities = await inferredTensors.probs.array();
    const categoryIds = predictions.map((idx) => categories[idx].id);
    inferredTensors.preds.dispose();
    inferredTensors.probs.dispose();
    return { categoryIds, probabilities };
  }

  set classes(classes) {
    this._classes = classes; // AbstractClassifier.ts:313-315
  }

  get classes() {
    return this._classes;
  }

  // AbstractClassifier.ts:320-322: the model's input shape without the batch dimension, e.g. [28, 28, 1].
  get defaultInputShape() {
    return this._model?.inputs[0].shape.slice(1);
  }

  // AbstractClassifier.ts:365-378
  get modelSummary() {
    if (this.graph) {
      logger("Graph model summaries unavailale", { level: "warn" });
      return;
    }
    if (!this._model) {
      logger(`Model ${this.name} is not loaded`, { level: "warn" });
      return;
    }
    return getLayersModelSummary(this._model);
  }
}

// SimpleCNN/loadSimpleCNN.ts:8-68
const createSimpleCNN = (inputShape, numClasses, randomizeWeights) => {
  const seed = randomizeWeights ? Math.floor(Math.random() * 1000) : 42;
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [inputShape.height, inputShape.width, inputShape.channels],
      kernelSize: 5,
      filters: 8,
      strides: 1,
      activation: "relu",
      kernelInitializer: tf.initializers.varianceScaling({ seed }),
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }));
  model.add(
    tf.layers.conv2d({
      kernelSize: 5,
      filters: 16,
      strides: 1,
      activation: "relu",
      kernelInitializer: tf.initializers.varianceScaling({ seed }),
    }),
  );
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }));
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({
      units: numClasses,
      kernelInitializer: tf.initializers.varianceScaling({ seed }),
      activation: "softmax",
    }),
  );
  return model;
};

export class SimpleCNN extends SequentialClassifier {
  // SimpleCNN.ts:9-17
  constructor(name) {
    super({ name: name ?? "SimpleCNN", task: 0, graph: false, pretrained: false, trainable: true });
  }

  // SimpleCNN.ts:23-42: what training sets before fitting; the classes are set by prepareModel
  // (classification/utils.ts:242) as the categories' names.
  loadModel({ inputShape, numClasses, randomizeWeights, compileOptions, preprocessOptions }) {
    if (this._model) return;
    this._model = createSimpleCNN(inputShape, numClasses, randomizeWeights);
    this._model.compile(createCompileArgs(compileOptions));
    this._preprocessingOptions = {
      inputShape,
      ...preprocessOptions.cropOptions,
      shuffle: preprocessOptions.shuffle,
      rescale: preprocessOptions.rescaleOptions.rescale,
      batchSize: compileOptions.batchSize,
    };
    this._optimizerSettings = compileOptions;
  }
}

export class UploadedClassifier extends SequentialClassifier {
  // UploadedClassifier.ts:44-58: the .json first, then the weight files, to tf.io.browserFiles.
  constructor({ descFile, weightsFiles, ...modelArgs }) {
    super(modelArgs);
    this._loadState = 0; // Unloaded
    this._ioHandler = tf.io.browserFiles([descFile, ...weightsFiles]);
    this._descFile = descFile;
  }

  // UploadedClassifier.ts:60-124
  async upload() {
    this._model = this.graph
      ? await tf.loadGraphModel(this._ioHandler)
      : await tf.loadLayersModel(this._ioHandler);
    let metadata;
    if (this._descFile) {
      const descContents = await this._descFile.text();
      try {
        metadata = validateModelMetadata(descContents);
      } catch (err) {
        logger(err, { level: "warn" });
      }
    }
    if (metadata) {
      this._preprocessingOptions = metadata.preprocessSettings;
      this.classes = metadata.classes;
      this._optimizerSettings = metadata.optimizerSettings;
    } else {
      // Without valid metadata: defaults, and an input shape read from a 3-element [H, W, C] array as if it were
      // [planes, height, width, channels] (UploadedClassifier.ts:95-98), so height = W, width = C, channels = undefined.
      const defaultModelInfo = getDefaultModelInfo();
      this._preprocessingOptions = {
        inputShape: {
          ...convertArrayToShape(this.defaultInputShape),
          channels: this.requiredChannels ?? this.defaultInputShape[3],
        },
        ...defaultModelInfo.preprocessSettings.cropOptions,
        shuffle: defaultModelInfo.preprocessSettings.shuffle,
        rescale: defaultModelInfo.preprocessSettings.rescaleOptions.rescale,
        batchSize: defaultModelInfo.optimizerSettings.batchSize,
      };
      this._optimizerSettings = defaultModelInfo.optimizerSettings;
      const modelSummary = this.modelSummary;
      if (modelSummary && modelSummary.length > 0 && modelSummary.at(-1)?.layerName.includes("dense")) {
        const numClasses = modelSummary.at(-1)?.outputShape.split(",");
        if (numClasses && numClasses.length === 1) {
          if (+numClasses > 100) throw new Error("Unable to upload backbones at this time");
          this.classes = Array.from({ length: +numClasses[0] }, (_, i) => i.toString()); // arrayUtils.ts:7-9
        }
      }
    }
    if (!this.graph) {
      this._model.compile(createCompileArgs(this._optimizerSettings));
    }
    this._loadState = 1; // Uploaded
  }
}
