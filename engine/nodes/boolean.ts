import type { NodeDecl } from "../registry/types";

export const booleanNodes: NodeDecl[] = [];
