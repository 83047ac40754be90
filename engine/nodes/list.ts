import type { NodeDecl } from "../registry/types";

export const listNodes: NodeDecl[] = [];
