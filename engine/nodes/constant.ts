import type { NodeDecl } from "../registry/types";

export const constantNodes: NodeDecl[] = [];
