import type { NodeDecl, PropertyDecl } from "./types";

/** Looks up node declarations by NodeTool type name. */
export class NodeRegistry {
  private readonly byType = new Map<string, NodeDecl>();

  constructor(decls: Iterable<NodeDecl> = []) {
    for (const decl of decls) this.register(decl);
  }

  register(decl: NodeDecl): void {
    if (this.byType.has(decl.type)) throw new Error(`node type registered twice: ${decl.type}`);
    this.byType.set(decl.type, decl);
  }

  get(type: string): NodeDecl | undefined {
    return this.byType.get(type);
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  all(): NodeDecl[] {
    return [...this.byType.values()];
  }

  get size(): number {
    return this.byType.size;
  }
}

/** Finds a declared property by its name or one of its aliases. */
export function findProperty(decl: NodeDecl, name: string): PropertyDecl | undefined {
  for (const p of decl.properties) {
    if (p.name === name || p.aliases?.includes(name)) return p;
  }
  return undefined;
}
