import type { NodeDecl } from "../registry/types";

export const controlNodes: NodeDecl[] = [];
