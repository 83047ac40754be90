import * as wavefile from "wavefile";
import { encodeNpy } from "../ndarray/npy";
import { make, NdArrayError, scalarOrArray, toNdArray, toNested, toValue, type Dtype, type NdArray } from "../ndarray/ndarray";
import { binary, padForBinary, promote, pyMod, unary } from "../ndarray/ops";
import { InlineBytes } from "../media/data-uri";
import { folderId, formatName, saveMedia } from "../media/refs";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeContext, NodeDecl } from "../registry/types";
import { describe, toInt, toText } from "../values/coerce";
import { arrayProp, guarded } from "./numpy-common";

/**
 * `lib.numpy.{arithmetic,math,conversion,io}`: NodeTool's NumPy nodes (nodetool-base src/nodetool/nodes/lib/
 * numpy/*.py) on the small array module in engine/ndarray/. Results with a single element come out as plain
 * numbers, as NodeTool's `convert_output` does. Manipulation, reshaping and statistics nodes are in numpy-shape.ts.
 *
 * Not declared: lib.numpy.utils.BinaryOperation (NodeTool's abstract base, whose operation raises
 * NotImplementedError), ConvertToArray and ConvertToImage (they need an image codec that runs in workerd),
 * and visualization.PlotArray (renders a chart image).
 */

const NUMERIC = "int|float|np_array";

const arr = (v: unknown, what: string): NdArray => toNdArray(v ?? 0, what);

/** NodeTool's BinaryOperation: zero-pad operands of different lengths, then broadcast. */
function binaryNode(name: string, description: string, op: (a: NdArray, b: NdArray) => NdArray): NodeDecl {
  return defineNode({
    type: `lib.numpy.arithmetic.${name}`,
    description,
    properties: [prop("a", NUMERIC, 0.0, { title: "A" }), prop("b", NUMERIC, 0.0, { title: "B" })],
    outputs: [out("output", NUMERIC)],
    process: (inputs) =>
      guarded(name, () => {
        const [a, b] = padForBinary(arr(inputs.a, `${name}: a`), arr(inputs.b, `${name}: b`));
        return { output: scalarOrArray(op(a, b)) };
      }),
  });
}

const isInt = (d: Dtype) => d === "int" || d === "bool";

/** np.power on integers refuses negative integer exponents. */
function power(a: NdArray, b: NdArray): NdArray {
  const dtype = promote(a.dtype, b.dtype);
  if (dtype === "int" && b.data.some((x) => x < 0)) throw new NdArrayError("Integers to negative integer powers are not allowed.");
  return binary(a, b, (x, y) => x ** y, dtype);
}

/** An element-wise function of one array, computed in float32 as NodeTool's `astype(np.float32)` does. */
function float32Node(name: string, description: string, fn: (x: number) => number): NodeDecl {
  return defineNode({
    type: `lib.numpy.math.${name}`,
    description,
    properties: [arrayProp("values", "Input array")],
    outputs: [out("output", "float|int|np_array")],
    process: (inputs) => guarded(name, () => ({ output: scalarOrArray(unary(toNdArray(inputs.values, `${name}: values`), (x) => fn(Math.fround(x)), "float32")) })),
  });
}

function trigNode(name: string, description: string, fn: (x: number) => number): NodeDecl {
  return defineNode({
    type: `lib.numpy.math.${name}`,
    description,
    properties: [prop("angle_rad", "float|int|np_array", 0.0, { title: "Angle (Radians)" })],
    outputs: [out("output", "float|np_array")],
    process: (inputs) =>
      guarded(name, () => {
        const a = arr(inputs.angle_rad, `${name}: angle_rad`);
        return { output: scalarOrArray(unary(a, fn, a.dtype === "float32" ? "float32" : "float")) };
      }),
  });
}

/** Audio as NodeTool's numpy_to_audio_segment makes it: mono 16-bit PCM from `values * 32767`. */
function wavBytes(a: NdArray, sampleRate: number): Uint8Array {
  const samples = a.data.map((x) => Math.max(-32768, Math.min(32767, Math.trunc(x * 32767))));
  // The package is ESM for bundlers and CommonJS for Node; the class sits on the namespace or its default.
  const ns = wavefile as unknown as { WaveFile?: typeof wavefile.WaveFile; default?: { WaveFile: typeof wavefile.WaveFile } };
  const WaveFile = ns.WaveFile ?? ns.default!.WaveFile;
  const wav = new WaveFile();
  wav.fromScratch(1, sampleRate, "16", samples);
  return wav.toBuffer();
}

async function mediaOut(ctx: NodeContext, type: string, bytes: Uint8Array, contentType: string, what: string) {
  if (ctx.services.blobs) return saveMedia(ctx, bytes, { type, contentType, kind: "temp" }, what);
  return { type, uri: "", asset_id: null, data: InlineBytes.wrap(bytes, contentType) };
}

export const numpyNodes: NodeDecl[] = [
  binaryNode("AddArray", "Performs addition on two arrays.\n    math, plus, add, addition, sum, +", (a, b) => binary(a, b, (x, y) => x + y, promote(a.dtype, b.dtype))),
  binaryNode("SubtractArray", "Subtracts the second array from the first.\n    math, minus, difference, -", (a, b) => binary(a, b, (x, y) => x - y, promote(a.dtype, b.dtype))),
  binaryNode("MultiplyArray", "Multiplies two arrays.\n    math, product, times, *", (a, b) => binary(a, b, (x, y) => x * y, promote(a.dtype, b.dtype))),
  binaryNode("DivideArray", "Divides the first array by the second.\n    math, division, arithmetic, quotient, /", (a, b) =>
    binary(a, b, (x, y) => x / y, promote(a.dtype, b.dtype) === "float32" ? "float32" : "float"),
  ),
  binaryNode("ModulusArray", "Calculates the element-wise remainder of division.\n    math, modulo, remainder, mod, %", (a, b) => {
    const dtype = promote(a.dtype, b.dtype);
    return binary(a, b, (x, y) => pyMod(x, y, isInt(dtype)), dtype);
  }),

  defineNode({
    type: "lib.numpy.math.AbsArray",
    description: "Compute the absolute value of each element in a array.\n    array, absolute, magnitude",
    properties: [arrayProp("values", "The input array to compute the absolute values from.")],
    outputs: [out("output", "np_array")],
    process: (inputs) =>
      guarded("AbsArray", () => {
        const a = toNdArray(inputs.values, "AbsArray: values");
        return { output: scalarOrArray(unary(a, Math.abs, a.dtype)) };
      }),
  }),
  trigNode("SineArray", "Computes the sine of input angles in radians.\n    math, trigonometry, sine, sin", Math.sin),
  trigNode("CosineArray", "Computes the cosine of input angles in radians.\n    math, trigonometry, cosine, cos", Math.cos),
  float32Node("ExpArray", "Calculate the exponential of each element in a array.\n    array, exponential, math, activation", Math.exp),
  float32Node("LogArray", "Calculate the natural logarithm of each element in a array.\n    array, logarithm, math, transformation", Math.log),
  float32Node("SqrtArray", "Calculates the square root of the input array element-wise.\n    math, square root, sqrt", Math.sqrt),
  defineNode({
    type: "lib.numpy.math.PowerArray",
    description: "Raises the base array to the power of the exponent element-wise.\n    math, exponentiation, power, pow, **",
    properties: [prop("base", "float|int|np_array", 1.0, { title: "Base" }), prop("exponent", "float|int|np_array", 2.0, { title: "Exponent" })],
    outputs: [out("output", "float|int|np_array")],
    process: (inputs) =>
      guarded("PowerArray", () => {
        const [a, b] = padForBinary(arr(inputs.base ?? 1, "PowerArray: base"), arr(inputs.exponent ?? 2, "PowerArray: exponent"));
        return { output: scalarOrArray(power(a, b)) };
      }),
  }),

  defineNode({
    type: "lib.numpy.conversion.ListToArray",
    description: "Convert a list of values to a array.\n    list, array, conversion, type",
    properties: [prop("values", "list[any]", [], { description: "List of values to convert to array" })],
    outputs: [out("output", "np_array")],
    process: (inputs) =>
      guarded("ListToArray", () => {
        const values = inputs.values ?? [];
        if (!Array.isArray(values)) throw new NdArrayError(`values must be a list, got ${describe(values)}`);
        return { output: toValue(toNdArray(values, "ListToArray: values")) };
      }),
  }),
  defineNode({
    type: "lib.numpy.conversion.ArrayToList",
    description: "Convert a array to a nested list structure.\n    array, list, conversion, type",
    properties: [arrayProp("values", "Array to convert to list")],
    outputs: [out("output", "list[any]")],
    process: (inputs) => guarded("ArrayToList", () => ({ output: toNested(toNdArray(inputs.values, "ArrayToList: values")) })),
  }),
  defineNode({
    type: "lib.numpy.conversion.ScalarToArray",
    description: "Convert a scalar value to a single-element array.\n    scalar, array, conversion, type",
    properties: [prop("value", "float|int", 0, { description: "Scalar value to convert to array" })],
    outputs: [out("output", "np_array")],
    process: (inputs) =>
      guarded("ScalarToArray", () => {
        const a = toNdArray(inputs.value ?? 0, "ScalarToArray: value");
        if (a.data.length !== 1) throw new NdArrayError("value must be a single number");
        return { output: toValue(make([1], a.data, a.dtype)) };
      }),
  }),
  defineNode({
    type: "lib.numpy.conversion.ArrayToScalar",
    description: "Convert a single-element array to a scalar value.\n    array, scalar, conversion, type",
    properties: [arrayProp("values", "Array to convert to scalar")],
    outputs: [out("output", "float|int")],
    process: (inputs) =>
      guarded("ArrayToScalar", () => {
        const a = toNdArray(inputs.values, "ArrayToScalar: values");
        if (a.data.length !== 1) throw new NdArrayError(`can only convert an array of size 1 to a Python scalar (this one has ${a.data.length} elements)`);
        return { output: scalarOrArray(a) };
      }),
  }),
  defineNode({
    type: "lib.numpy.conversion.ConvertToAudio",
    description: "Converts a array object back to an audio file (mono 16-bit WAV from samples in -1..1).\n    audio, conversion, array",
    properties: [arrayProp("values", "The array to convert to an audio file."), prop("sample_rate", "int", 44100, { description: "The sample rate of the audio file.", min: 0, max: 44100 })],
    outputs: [out("output", "audio")],
    process: async (inputs, ctx) => {
      const a = guarded("ConvertToAudio", () => toNdArray(inputs.values, "ConvertToAudio: values"));
      const rate = toInt(inputs.sample_rate ?? 44100, "sample_rate");
      if (rate < 1 || rate > 44100) throw new NdArrayError(`ConvertToAudio: sample_rate must be between 1 and 44100, got ${rate}`);
      return { output: await mediaOut(ctx, "audio", wavBytes(a, rate), "audio/wav", "ConvertToAudio") };
    },
  }),
  defineNode({
    type: "lib.numpy.io.SaveArray",
    description: "Save a numpy array to a file (.npy asset) in the specified folder.\n    array, save, file, storage",
    properties: [
      arrayProp("values", "The array to save."),
      prop("folder", "folder", { type: "folder", uri: "", asset_id: null, data: null, metadata: null }, { description: "The folder to save the array in." }),
      prop("name", "str", "%Y-%m-%d_%H-%M-%S.npy", { description: "The name of the asset to save; %Y %m %d %H %M %S are replaced by the current date and time (UTC)." }),
    ],
    outputs: [out("output", "np_array")],
    process: async (inputs, ctx) => {
      const a = guarded("SaveArray", () => toNdArray(inputs.values, "SaveArray: values"));
      const name = formatName(toText(inputs.name) || "%Y-%m-%d_%H-%M-%S.npy", ctx.services.now());
      const saved = await saveMedia(ctx, encodeNpy(a), { type: "np_array", contentType: "application/array", kind: "asset", name, parentId: folderId(inputs.folder) }, "SaveArray");
      return { output: toValue(a, { uri: saved.uri, asset_id: saved.asset_id ?? null }) };
    },
  }),
];
