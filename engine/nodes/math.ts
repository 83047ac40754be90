import type { NodeDecl } from "../registry/types";

export const mathNodes: NodeDecl[] = [];
