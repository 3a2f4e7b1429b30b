// The check Piximi runs on an uploaded model.json (UploadedClassifier.ts:80-87 calls validateModelMetadata), on the
// io-ts and fp-ts versions Piximi's lock file resolves (io-ts 2.2.22, fp-ts 2.16.10).
import * as t from "io-ts";
import { failure } from "io-ts/lib/PathReporter.js";
import { getOrElseW } from "fp-ts/lib/Either.js";
import { CropSchema, LossFunction, Metric, OptimizationAlgorithm } from "./enums.mjs";

// runtimeUtils.ts:10-20: an enum becomes t.keyof over its values.
const enumToCodec = (e) => t.keyof(Object.fromEntries(Object.values(e).map((v) => [v, null])));

// runtimeTypes.ts:150-176. t.type checks the listed keys and lets others through; every one of the three top-level
// keys is required.
export const SerializedModelMetadataRType = t.type({
  preprocessSettings: t.type({
    cropSchema: enumToCodec(CropSchema),
    numCrops: t.number,
    inputShape: t.type({ width: t.number, height: t.number, channels: t.number }),
    shuffle: t.boolean,
    rescale: t.boolean,
    batchSize: t.number,
  }),
  classes: t.array(t.string),
  optimizerSettings: t.type({
    learningRate: t.number,
    lossFunction: t.union([
      enumToCodec(LossFunction),
      t.array(enumToCodec(LossFunction)),
      t.record(t.string, enumToCodec(LossFunction)),
    ]),
    metrics: t.array(enumToCodec(Metric)),
    optimizationAlgorithm: enumToCodec(OptimizationAlgorithm),
    epochs: t.number,
    batchSize: t.number,
  }),
});

// runtimeUtils.ts:5-8 (with import.meta.env.NODE_ENV "production", as in Piximi's build, it does not log first).
const toError = (errors) => {
  throw new Error(failure(errors).join("\n"));
};

// validators.ts:29-32: JSON.parse, then decode; the decoded value (io-ts strips nothing with t.type) or a throw.
export const validateModelMetadata = (encodedFileContents) => {
  const metadata = JSON.parse(encodedFileContents);
  return getOrElseW(toError)(SerializedModelMetadataRType.decode(metadata));
};
