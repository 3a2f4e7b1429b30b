// Piximi 1.1.4 (piximi/piximi at 20f46898), the parts its model upload and prediction run, reproduced on the
// libraries Piximi's lock file pins. Each file cites the Piximi file and lines it follows; PIXIMI-SOURCES.md lists
// them with their git blob hashes. The harness imports this module, or another with the same exports named by
// PIXIMI_IMPL (see README: that is how the reproduction was checked against Piximi's own source).
export * as tf from "@tensorflow/tfjs";
export { default as JSZip } from "jszip";
export { default as classifierHandler } from "./handler.mjs";
export { SimpleCNN } from "./classifier.mjs";
export { validateModelMetadata } from "./metadata.mjs";
export { preprocessData } from "./preprocess.mjs";
export { getDefaultModelInfo } from "./settings.mjs";
export { CropSchema, Partition, LossFunction, Metric, OptimizationAlgorithm, UNKNOWN_IMAGE_CATEGORY_ID } from "./enums.mjs";
export const implementation = "reproduction (lib/piximi)";
