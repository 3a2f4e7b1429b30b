// How Piximi turns its images into model input for prediction: src/utils/models/classification/AbstractClassifier/
// preprocess.ts (preprocessData, inference path) with the helpers it calls. Only inference is reproduced: the
// harness uploads and predicts, it does not train.
import * as tf from "@tensorflow/tfjs";
import { CropSchema } from "./enums.mjs";

// src/utils/tensorUtils.ts:112-127: plane `sliceIdx` of a [Z, H, W, C] image as [H, W, C].
export const getImageSlice = (imageTensor, sliceIdx) => {
  const [, height, width, numChannels] = imageTensor.shape;
  return tf.tidy(() =>
    imageTensor.slice([sliceIdx], [1, height, width, numChannels]).reshape([height, width, numChannels]),
  );
};

// src/utils/tensorUtils.ts:330-342: back from [0,1] to the bit depth's integer range (disposes its input).
const denormalizeTensor = (normalTensor, bitDepth) => {
  const denormalized = tf.tidy(() => normalTensor.mul(2 ** bitDepth - 1).round());
  normalTensor.dispose();
  return denormalized;
};

// src/utils/models/utils.ts:115-151 (padToMatch, constant mode): centre-pad up to the target size; disposes its input.
const padToMatch = (sample, targetDims) => {
  const dHeight = targetDims.height - sample.shape[0];
  const dWidth = targetDims.width - sample.shape[1];
  const padY = dHeight > 0 ? [Math.floor(dHeight / 2), Math.ceil(dHeight / 2)] : [0, 0];
  const padX = dWidth > 0 ? [Math.floor(dWidth / 2), Math.ceil(dWidth / 2)] : [0, 0];
  const padded = sample.pad([padY, padX, [0, 0]], undefined);
  sample.dispose();
  return padded;
};

// src/utils/models/utils.ts:153-182 (matchedCropPad) for inference: randomCrop is `!inference && numCrops > 1`
// (preprocess.ts:166), always false here, so the crop is centred and lodash's random is never called.
const matchedCropPad = ({ sampleWidth, sampleHeight, cropWidth, cropHeight }) => {
  const coords = [0.0, 0.0, 1.0, 1.0]; // [y1, x1, y2, x2]
  if (sampleHeight > cropHeight) {
    const hRatio = cropHeight / sampleHeight;
    coords[0] = (1 - hRatio) / 2;
    coords[2] = coords[0] + hRatio;
  }
  if (sampleWidth > cropWidth) {
    const wRatio = cropWidth / sampleWidth;
    coords[1] = (1 - wRatio) / 2;
    coords[3] = coords[1] + wRatio;
  }
  return coords;
};

// preprocess.ts:143-209 (cropResize) for an inference item { xs: [H, W, C] }.
const cropResize = (inputShape, cropSchema, numCrops, item) => {
  const cropSize = [inputShape.height, inputShape.width];
  let cropCoords; // stays undefined for a cropSchema that is neither None nor Match, as in Piximi's switch
  if (cropSchema === CropSchema.Match) {
    cropCoords = matchedCropPad({
      sampleWidth: item.xs.shape[1],
      sampleHeight: item.xs.shape[0],
      cropWidth: cropSize[1],
      cropHeight: cropSize[0],
    });
  } else if (cropSchema === CropSchema.None) {
    cropCoords = [0.0, 0.0, 1.0, 1.0];
  }
  const crop = tf.tidy(() => {
    const box = tf.tensor2d(cropCoords, [1, 4], "float32");
    const boxInd = tf.tensor1d([0], "int32");
    const xs =
      cropSchema === CropSchema.Match
        ? padToMatch(item.xs, { width: cropSize[1], height: cropSize[0] })
        : item.xs;
    return tf.image
      .cropAndResize(xs.expandDims(0), box, boxInd, cropSize, "bilinear")
      .reshape([inputShape.height, inputShape.width, xs.shape[2]]);
  });
  return { ...item, xs: crop };
};

// preprocess.ts:340-390 with inference true. Things are { data: Tensor4D [Z,H,W,C] in [0,1], activePlane?,
// bitDepth, ... }; the dataset yields batches { xs: [b, h, w, c] } in the order of `images`, except that with
// numCrops > 1 and shuffle on, Piximi shuffles even the inference set (preprocess.ts:374-376).
export const preprocessData = ({ images, preprocessOptions, inference }) => {
  if (!inference) throw new Error("only Piximi's inference path is reproduced here");
  const count = images.length;
  // preprocess.ts:80-106 (sampleGeneratorCreator, inference branch)
  const generator = function* () {
    for (let index = 0; index < count; index++) {
      const image = images[index];
      const activePlane = "activePlane" in image ? image.activePlane : 0;
      yield { xs: getImageSlice(image.data, activePlane) };
    }
  };
  let imageData = tf.data
    .generator(generator)
    .map((item) =>
      cropResize(preprocessOptions.inputShape, preprocessOptions.cropSchema, preprocessOptions.numCrops, item),
    );
  if (preprocessOptions.numCrops > 1 && preprocessOptions.shuffle) {
    imageData = imageData.shuffle(preprocessOptions.batchSize);
  }
  // "rescaled (in range [0, 1]) by default, scale up if rescale is off" (preprocess.ts:378-381)
  if (!preprocessOptions.rescale) {
    const bitDepth = images[0].bitDepth;
    imageData = imageData.map((items) => ({ ...items, xs: denormalizeTensor(items.xs, bitDepth) }));
  }
  // preprocess.ts:383-387 shows images only when VITE_APP_LOG_LEVEL is "4": not in a production build.
  return imageData.batch(preprocessOptions.batchSize);
};
