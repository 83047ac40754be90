/**
 * `nodetool.control.*`: branching, fan-out and stream operators of both NodeTool generations. The nodes live
 * in control-flow.ts (branching, fan-out) and control-streams.ts (stream operators, joins); the item
 * expression language in engine/control/item-expression.ts.
 */
import type { NodeDecl } from "../registry/types";
import { controlFlowNodes } from "./control-flow";
import { controlStreamNodes } from "./control-streams";

export { compileItemExpression } from "../control/item-expression";

/** Every `nodetool.control.*` node: NodeTool's older Python generation and its current TypeScript one. */
export const controlNodes: NodeDecl[] = [...controlFlowNodes, ...controlStreamNodes];
