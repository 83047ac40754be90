import type { NodeDecl } from "../registry/types";

export const textNodes: NodeDecl[] = [];
