export * from "./types";
export { OpenAIMediaService, type MediaServiceOptions } from "./service";
export { DEFAULT_MEDIA_MODELS, routeMedia } from "./routing";
export { imageSize, openAIImageSizes, videoDimensions, videoSize, wantsResponseFormat } from "./params";
export { pcmToWav } from "./wav";
