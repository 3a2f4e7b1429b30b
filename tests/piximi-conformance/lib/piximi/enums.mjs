// Piximi's enums as the values its files carry (src/utils/models/enums.ts at 20f46898). The strings are data that
// a model.json must match exactly: the metadata codec accepts these values and nothing else.

// enums.ts:1-6 (Smallest and Biggest are commented out there)
export const CropSchema = Object.freeze({ None: "None", Match: "Match" });

// enums.ts:8-11
export const ModelTask = Object.freeze({ Classification: 0, Segmentation: 1 });

// enums.ts:26-34
export const OptimizationAlgorithm = Object.freeze({
  Adadelta: "Adadelta",
  Adagrad: "Adagrad",
  Adam: "Adam",
  Adamax: "Adamax",
  Momentum: "Momentum",
  RMSProp: "RMSProp",
  StochasticGradientDescent: "Stochastic gradient descent (SGD)",
});

// enums.ts:36-49 (CosineDistance is commented out there)
export const LossFunction = Object.freeze({
  AbsoluteDifference: "Absolute difference",
  CategoricalCrossEntropy: "Categorical (softmax) cross entropy",
  Hinge: "Hinge",
  Huber: "Huber",
  Log: "Log",
  MeanSquaredError: "Mean squared error (MSE)",
  SigmoidCrossEntropy: "Sigmoid cross entropy",
});

// enums.ts:51-63 ("Binary cros-sentropy" is spelled so in Piximi)
export const Metric = Object.freeze({
  BinaryAccuracy: "Binary accuracy",
  BinaryCrossEntropy: "Binary cros-sentropy",
  CategoricalAccuracy: "Categorical accuracy",
  CategoricalCrossEntropy: "Categorical cross-entropy",
  CosineProximity: "Cosine proximity",
  MeanAbsoluteError: "Mean absolute error (MAE)",
  MeanAbsolutePercentageError: "Mean absolute percentage error",
  MeanSquaredError: "Mean squared error",
  Precision: "Precision",
  Recall: "Recall",
  SparseCategoricalAccuracy: "Sparse categorical accuracy",
});

// enums.ts:65-70
export const Partition = Object.freeze({
  Training: "Training",
  Validation: "Validation",
  Inference: "Inference",
  Unassigned: "Unassigned",
});

// src/store/data/constants.ts:1-2
export const UNKNOWN_IMAGE_CATEGORY_ID = "00000000-0000-0000-0000-000000000000";
