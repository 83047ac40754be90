/**
 * `nodetool.text.*`: NodeTool's text nodes with its type names, property names, defaults and outputs.
 * Semantics follow NodeTool's Python nodes (nodetool-base) and the newer TypeScript nodes; where they differ,
 * the comment on the node says which one this follows. Strings are measured and indexed by code point, as
 * Python does (engine/text/strings.ts). Embedding and AutomaticSpeechRecognition need a model provider and
 * are not part of this pack.
 */
import type { NodeDecl } from "../registry/types";
import { textCheckNodes } from "./text-check";
import { textComposeNodes } from "./text-compose";
import { textFileNodes } from "./text-files";
import { textRegexNodes } from "./text-regex";
import { textTransformNodes } from "./text-transform";

export { pythonRegex } from "../regex/python-regex";

export const textNodes: NodeDecl[] = [...textComposeNodes, ...textRegexNodes, ...textCheckNodes, ...textTransformNodes, ...textFileNodes];
