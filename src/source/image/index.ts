export type { ImageDescription, ImageKind, ImageLayerInfo, ImageSource, LayerEntry, LayerWalkResult, OnFileFn, RefusedEntry, WalkLayerOptions, WantFn } from './types.js';
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_LAYER_BYTES } from './types.js';
export { ImageArchiveError, ImageUnsupportedError } from './errors.js';
export { looksLikeRootfs, openImage, parseImageTarget } from './open.js';
export type { ImageTarget, ImageTargetKind, OpenImageOptions } from './open.js';
export { walkLayerStream, walkLayerBlob } from './layer-walk.js';
