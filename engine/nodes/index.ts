import { mediaNodes } from "../media/nodes";
import { NodeRegistry } from "../registry/registry";
import type { NodeDecl } from "../registry/types";
import { booleanNodes } from "./boolean";
import { codeNodes } from "./code";
import { vectorNodes } from "./vector";
import { constantNodes } from "./constant";
import { controlNodes } from "./control";
import { diagnosticNodes } from "./diagnostics";
import { dictionaryNodes } from "./dictionary";
import { dataPackNodes } from "./data-packs";
import { dataframeNodes } from "./data-nodes";
import { inputNodes } from "./input";
import { streamingInputNodes } from "./input-stream";
import { listNodes } from "./list";
import { llmNodes } from "./llm";
import { mathNodes } from "./math";
import { mlNodes } from "./ml";
import { mlStepNodes } from "./ml-steps";
import { outputNodes } from "./output";
import { textNodes } from "./text";
import { triggerNodes } from "./triggers";
import { workspaceNodes } from "./workspace";
import { osNodes } from "./os";
import { sqliteNodes } from "./sqlite";
import { documentPackNodes } from "./documents";
import { webNodes } from "./http-packs";
import { generationNodes } from "./generation";
import { generationAudioNodes } from "./generation-audio";
import { openaiNodes } from "./openai";
import { imageNodes } from "./image";
import { pillowNodes } from "./pillow";
import { gradingNodes } from "./pillow-grading";
import { audioNodes } from "./audio";
import { pedalboardNodes } from "./pedalboard";
import { mediaAssetNodes } from "./media-assets";
import { videoNodes } from "./video";
import { videoFilterNodes } from "./video-filters";
import { imageListNodes } from "./image-lists";
import { svgImageNodes } from "./svg-image";
import { audioSilenceNodes } from "./audio-silence";
import { pillowEdgeNodes } from "./pillow-edges";
import { audioArrayNodes } from "./audio-arrays";
import { audioChunkNodes } from "./audio-chunks";

/** Every node this build ships, in catalog order. */
export const CORE_NODES: readonly NodeDecl[] = [
  ...inputNodes,
  ...streamingInputNodes,
  ...outputNodes,
  ...constantNodes,
  ...textNodes,
  ...booleanNodes,
  ...mathNodes,
  ...controlNodes,
  ...triggerNodes,
  ...listNodes,
  ...dictionaryNodes,
  ...dataPackNodes,
  ...dataframeNodes,
  ...diagnosticNodes,
  ...mediaNodes,
  ...llmNodes,
  ...mlNodes,
  ...mlStepNodes,
  ...codeNodes,
  ...vectorNodes,
  ...workspaceNodes,
  ...osNodes,
  ...sqliteNodes,
  ...documentPackNodes,
  ...webNodes,
  ...generationNodes,
  ...generationAudioNodes,
  ...openaiNodes,
  ...imageNodes,
  ...pillowNodes,
  ...gradingNodes,
  ...audioNodes,
  ...pedalboardNodes,
  ...mediaAssetNodes,
  ...videoNodes,
  ...videoFilterNodes,
  ...imageListNodes,
  ...svgImageNodes,
  ...audioSilenceNodes,
  ...pillowEdgeNodes,
  ...audioArrayNodes,
  ...audioChunkNodes,
];

export function createCoreRegistry(): NodeRegistry {
  return new NodeRegistry(CORE_NODES);
}
