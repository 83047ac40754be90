import { mediaNodes } from "../media/nodes";
import { NodeRegistry } from "../registry/registry";
import type { NodeDecl } from "../registry/types";
import { booleanNodes } from "./boolean";
import { constantNodes } from "./constant";
import { controlNodes } from "./control";
import { diagnosticNodes } from "./diagnostics";
import { dictionaryNodes } from "./dictionary";
import { inputNodes } from "./input";
import { listNodes } from "./list";
import { llmNodes } from "./llm";
import { mathNodes } from "./math";
import { mlNodes } from "./ml";
import { outputNodes } from "./output";
import { textNodes } from "./text";

/** Every node this build ships, in catalog order. */
export const CORE_NODES: readonly NodeDecl[] = [
  ...inputNodes,
  ...outputNodes,
  ...constantNodes,
  ...textNodes,
  ...booleanNodes,
  ...mathNodes,
  ...controlNodes,
  ...listNodes,
  ...dictionaryNodes,
  ...diagnosticNodes,
  ...mediaNodes,
  ...llmNodes,
  ...mlNodes,
];

export function createCoreRegistry(): NodeRegistry {
  return new NodeRegistry(CORE_NODES);
}
