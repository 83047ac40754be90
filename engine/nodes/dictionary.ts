import type { NodeDecl } from "../registry/types";

export const dictionaryNodes: NodeDecl[] = [];
