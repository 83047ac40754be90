import { NdArrayError } from "../ndarray/ndarray";
import { prop } from "../registry/define-node";

/** NodeTool's empty `NPArray`, the default of every array property. */
export const emptyArray = () => ({ type: "np_array", value: null, dtype: "<i8", shape: [1] });
export const arrayProp = (name: string, description: string) => prop(name, "np_array", emptyArray(), { description });

/** Runs `fn`, naming the node in array errors. */
export function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof NdArrayError) throw new NdArrayError(`${what}: ${err.message.replace(new RegExp(`^${what}: `), "")}`);
    throw err;
  }
}
