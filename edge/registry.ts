import { createCoreRegistry } from "../engine/nodes/index";

/** The node registry of this deployment, built once per isolate. */
export const registry = createCoreRegistry();
