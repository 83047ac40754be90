/** Small `lib.*` and `nodetool.*` node packs for everyday data: dates, JSON, UUIDs, Markdown, SVG, number streams. */
import type { NodeDecl } from "../registry/types";
import { dateNodes } from "./date";
import { jsonNodes } from "./json";
import { markdownNodes } from "./markdown";
import { numbersNodes } from "./numbers";
import { svgNodes } from "./svg";
import { uuidNodes } from "./uuid";

export const dataPackNodes: NodeDecl[] = [...dateNodes, ...jsonNodes, ...uuidNodes, ...markdownNodes, ...svgNodes, ...numbersNodes];
