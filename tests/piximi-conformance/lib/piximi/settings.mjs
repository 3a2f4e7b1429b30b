// Piximi's defaults and compile arguments: what an uploaded model falls back to and is compiled with.
import * as tf from "@tensorflow/tfjs";
import { CropSchema, LossFunction, Metric, OptimizationAlgorithm } from "./enums.mjs";

// src/utils/models/classification/utils.ts:25-60 (getDefaultModelParams, getDefaultModelInfo)
export const getDefaultModelInfo = () => ({
  optimizerSettings: {
    epochs: 10,
    batchSize: 32,
    learningRate: 0.01,
    lossFunction: LossFunction.CategoricalCrossEntropy,
    metrics: [Metric.CategoricalAccuracy],
    optimizationAlgorithm: OptimizationAlgorithm.Adam,
  },
  preprocessSettings: {
    inputShape: { planes: 1, height: 20, width: 20, channels: 1 },
    shuffle: true,
    rescaleOptions: { rescale: true, center: false },
    cropOptions: { numCrops: 1, cropSchema: CropSchema.None },
    trainingPercentage: 0.75,
  },
  evalResults: [],
});

// src/utils/models/utils.ts:11-113. Unknown values fall to softmaxCrossEntropy / "categoricalAccuracy" / sgd;
// Momentum has no case and so is plain sgd (models/utils.ts:82-105).
const LOSSES = {
  [LossFunction.AbsoluteDifference]: tf.losses.absoluteDifference,
  [LossFunction.CategoricalCrossEntropy]: tf.losses.softmaxCrossEntropy,
  [LossFunction.Hinge]: tf.losses.hingeLoss,
  [LossFunction.Huber]: tf.losses.huberLoss,
  [LossFunction.Log]: tf.losses.logLoss,
  [LossFunction.MeanSquaredError]: tf.losses.meanSquaredError,
  [LossFunction.SigmoidCrossEntropy]: tf.losses.sigmoidCrossEntropy,
};
const METRICS = {
  [Metric.BinaryAccuracy]: "binaryAccuracy",
  [Metric.BinaryCrossEntropy]: "binaryCrossentropy",
  [Metric.CategoricalAccuracy]: "categoricalAccuracy",
  [Metric.CategoricalCrossEntropy]: "categoricalCrossentropy",
  [Metric.CosineProximity]: "categoricalCrossentropy", // models/utils.ts:62-63, as written
  [Metric.MeanAbsoluteError]: "meanAbsoluteError",
  [Metric.MeanAbsolutePercentageError]: "meanAbsolutePercentageError",
  [Metric.MeanSquaredError]: "meanSquaredError",
  [Metric.Precision]: "precision",
  [Metric.Recall]: "recall",
  [Metric.SparseCategoricalAccuracy]: "sparseCategoricalAccuracy",
};
const OPTIMIZERS = {
  [OptimizationAlgorithm.Adadelta]: tf.train.adadelta,
  [OptimizationAlgorithm.Adagrad]: tf.train.adagrad,
  [OptimizationAlgorithm.Adam]: tf.train.adam,
  [OptimizationAlgorithm.Adamax]: tf.train.adamax,
  [OptimizationAlgorithm.RMSProp]: tf.train.rmsprop,
  [OptimizationAlgorithm.StochasticGradientDescent]: tf.train.sgd,
};
// Piximi switches with ===, so only a string can match a case (an array ["Hinge"] must not).
const own = (table, key) => (typeof key === "string" && Object.hasOwn(table, key) ? table[key] : undefined);

export const createCompileArgs = (options) => ({
  // A lossFunction given as an array or record (the codec allows both) matches no case: softmaxCrossEntropy.
  loss: own(LOSSES, options.lossFunction) ?? tf.losses.softmaxCrossEntropy,
  metrics: options.metrics.map((m) => own(METRICS, m) ?? "categoricalAccuracy"),
  optimizer: (own(OPTIMIZERS, options.optimizationAlgorithm) ?? tf.train.sgd)(options.learningRate),
});

// src/utils/models/utils.ts:229-250: outputShape is String(layer.outputShape).slice(1), e.g. ",10" -> "10".
export const getLayersModelSummary = (model) =>
  model.layers.map((layer) => ({
    layerName: layer.name,
    outputShape: String(layer.outputShape).slice(1),
    parameters: layer.countParams(),
    trainable: String(layer.trainable),
  }));

// src/utils/models/utils.ts:252-259: a 4-element [planes, height, width, channels] array to a Shape.
export const convertArrayToShape = (array) => ({
  planes: array[0],
  height: array[1],
  width: array[2],
  channels: array[3],
});
