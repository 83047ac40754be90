import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl, PropertyDecl } from "../registry/types";
import { isRecord, toBool, toInt, toNumber, toText } from "../values/coerce";

/**
 * `nodetool.constant.*`: fixed values. Each constant emits its `value` once on `output`; the executor
 * reports no `output_update` for constants (kind "constant").
 */

/** The empty reference NodeTool uses as the default of media constants. */
const emptyRef = (type: string, extra: Record<string, unknown> = {}) => ({ type, uri: "", asset_id: null, data: null, metadata: null, ...extra });

function constant(
  name: string,
  valueType: string,
  defaultValue: unknown,
  description: string,
  convert: (value: unknown) => unknown = (value) => value,
  extra: { properties?: PropertyDecl[]; title?: string } = {},
): NodeDecl {
  return defineNode({
    type: `nodetool.constant.${name}`,
    kind: "constant",
    description,
    title: extra.title,
    properties: [prop("value", valueType, defaultValue), ...(extra.properties ?? [])],
    outputs: [out("output", valueType)],
    process: (inputs) => {
      const value = inputs.value;
      // NodeTool falls back to the type's empty value when the stored value is null.
      return { output: value === null || value === undefined ? defaultValue : convert(value) };
    },
  });
}

/** A media reference passes through as-is; a bare URI string is accepted as `{type, uri}`. */
const mediaRef = (type: string) => (value: unknown) => (typeof value === "string" ? { ...emptyRef(type), uri: value } : value);

const toList = (what: string) => (value: unknown) => {
  if (!Array.isArray(value)) throw new Error(`${what} value must be a list, got ${typeof value}`);
  return value;
};

const MODEL_CONSTANTS: [string, string, string][] = [
  ["LanguageModelConstant", "language_model", "A fixed language model (provider and model id)."],
  ["ImageModelConstant", "image_model", "A fixed image generation model."],
  ["VideoModelConstant", "video_model", "A fixed video generation model."],
  ["TTSModelConstant", "tts_model", "A fixed text-to-speech model."],
  ["ASRModelConstant", "asr_model", "A fixed speech recognition model."],
  ["EmbeddingModelConstant", "embedding_model", "A fixed embedding model."],
];

export const constantNodes: NodeDecl[] = [
  // NodeTool's base class of the constants is itself a node type: no properties, no outputs, nothing to do.
  defineNode({
    type: "nodetool.constant.Constant",
    kind: "constant",
    description: "Base class for fixed-value nodes.\n\n    constant, parameter, default",
    outputs: [],
    process: () => ({}),
  }),
  constant("String", "str", "", "A fixed text value.", toText),
  constant("Integer", "int", 0, "A fixed whole number.", (v) => toInt(v, "Integer value")),
  constant("Float", "float", 0, "A fixed floating-point number.", (v) => toNumber(v, "Float value")),
  constant("Bool", "bool", false, "A fixed true/false value.", toBool),
  constant("List", "list[any]", [], "A fixed list. It travels downstream as one value.", toList("List")),
  constant("TextList", "list[str]", [], "A fixed list of strings.", (v) => toList("TextList")(v).map(toText)),
  constant("Dict", "dict", {}, "A fixed dictionary.", (value) => {
    if (!isRecord(value)) throw new Error(`Dict value must be an object, got ${Array.isArray(value) ? "a list" : typeof value}`);
    return value;
  }),
  constant("JSON", "json", emptyRef("json"), "A fixed JSON reference."),
  constant("Image", "image", emptyRef("image"), "A fixed image reference.", mediaRef("image")),
  constant("Audio", "audio", emptyRef("audio"), "A fixed audio reference.", mediaRef("audio")),
  constant("Video", "video", emptyRef("video", { duration: null, format: null }), "A fixed video reference.", mediaRef("video")),
  constant("Document", "document", emptyRef("document"), "A fixed document reference.", mediaRef("document")),
  constant("DataFrame", "dataframe", emptyRef("dataframe", { columns: null }), "A fixed data frame.", undefined, { title: "Data Frame" }),
  constant("Model3D", "model_3d", emptyRef("model_3d", { format: null, material_file: null, texture_files: [] }), "A fixed 3D model reference.", mediaRef("model_3d"), { title: "Model 3D" }),
  constant("ImageList", "list[image]", [], "A fixed list of image references.", toList("ImageList")),
  constant("AudioList", "list[audio]", [], "A fixed list of audio references.", toList("AudioList")),
  constant("VideoList", "list[video]", [], "A fixed list of video references.", toList("VideoList")),
  constant("Select", "str", "", "A choice among fixed options; the output connects to enum inputs.", toText, {
    properties: [
      prop("options", "list[str]", [], { description: "The list of available options to choose from." }),
      prop("enum_type_name", "str", "", { description: "The enum type name this select corresponds to (for type matching)." }),
    ],
  }),
  ...MODEL_CONSTANTS.map(([name, type, description]) => constant(name, type, {}, description)),

  defineNode({
    type: "nodetool.constant.ImageSize",
    kind: "constant",
    description: "A fixed image size, also split into width and height.",
    properties: [prop("value", "image_size", { width: 1024, height: 1024 })],
    outputs: [out("image_size", "image_size"), out("width", "int"), out("height", "int")],
    process: (inputs) => {
      const value = isRecord(inputs.value) ? inputs.value : { width: 1024, height: 1024 };
      return { image_size: value, width: toInt(value.width ?? 1024, "width"), height: toInt(value.height ?? 1024, "height") };
    },
  }),

  // Date and DateTime emit NodeTool's date objects, not ISO strings. Current NodeTool's TypeScript node
  // emits `{year, month, day}` (DateTime: `{year, month, day, hour, minute, second, microsecond, tzinfo,
  // utc_offset}` with the offset in seconds); the Python generation serialises the same fields with a
  // `type` tag. We emit the TypeScript fields plus `type: "date"` / `type: "datetime"`, so consumers of
  // either generation find what they read.
  defineNode({
    type: "nodetool.constant.Date",
    kind: "constant",
    description: "Make a date object from year, month, day.",
    properties: [
      prop("year", "int", 1900, { min: 1, max: 9999, description: "Year of the date" }),
      prop("month", "int", 1, { min: 1, max: 12, description: "Month of the date" }),
      prop("day", "int", 1, { min: 1, max: 31, description: "Day of the date" }),
    ],
    outputs: [out("output", "date")],
    process: (inputs) => {
      const year = toInt(inputs.year ?? 1900, "year");
      const month = toInt(inputs.month ?? 1, "month");
      const day = toInt(inputs.day ?? 1, "day");
      checkDate(year, month, day);
      return { output: { type: "date", year, month, day } };
    },
  }),
  defineNode({
    type: "nodetool.constant.DateTime",
    kind: "constant",
    title: "Date Time",
    description: "Make a datetime object from year, month, day, hour, minute, second.",
    properties: [
      prop("year", "int", 1900, { min: 1, max: 9999, description: "Year of the datetime" }),
      prop("month", "int", 1, { min: 1, max: 12, description: "Month of the datetime" }),
      prop("day", "int", 1, { min: 1, max: 31, description: "Day of the datetime" }),
      prop("hour", "int", 0, { min: 0, max: 23, description: "Hour of the datetime" }),
      prop("minute", "int", 0, { min: 0, max: 59, description: "Minute of the datetime" }),
      prop("second", "int", 0, { min: 0, max: 59, description: "Second of the datetime" }),
      prop("millisecond", "int", 0, { min: 0, max: 999, description: "Millisecond of the datetime" }),
      prop("tzinfo", "str", "UTC", { description: "Timezone of the datetime" }),
      prop("utc_offset", "int", 0, { min: -720, max: 840, description: "UTC offset of the datetime in minutes" }),
    ],
    outputs: [out("output", "datetime")],
    process: (inputs) => {
      const field = (name: string, fallback: number, min: number, max: number): number => {
        const v = toInt(inputs[name] ?? fallback, name);
        if (v < min || v > max) throw new Error(`DateTime: ${name} must be between ${min} and ${max}, got ${v}`);
        return v;
      };
      const year = field("year", 1900, 1, 9999);
      const month = field("month", 1, 1, 12);
      const day = field("day", 1, 1, 31);
      checkDate(year, month, day);
      // Older files carry `microsecond` instead of `millisecond`.
      const microsecond =
        inputs.millisecond !== undefined && inputs.millisecond !== null && toInt(inputs.millisecond) !== 0
          ? field("millisecond", 0, 0, 999) * 1000
          : toInt(inputs.microsecond ?? 0, "microsecond");
      return {
        output: {
          type: "datetime",
          year,
          month,
          day,
          hour: field("hour", 0, 0, 23),
          minute: field("minute", 0, 0, 59),
          second: field("second", 0, 0, 59),
          microsecond,
          tzinfo: toText(inputs.tzinfo ?? "UTC"),
          utc_offset: field("utc_offset", 0, -720, 840) * 60,
        },
      };
    },
  }),
];

function checkDate(year: number, month: number, day: number): void {
  if (year < 1 || year > 9999) throw new Error(`Date: year must be between 1 and 9999, got ${year}`);
  if (month < 1 || month > 12) throw new Error(`Date: month must be between 1 and 12, got ${month}`);
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate(); // days in `month` of a leap year
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const max = month === 2 && !leap ? 28 : days;
  if (day < 1 || day > max) throw new Error(`Date: day must be between 1 and ${max} for ${year}-${String(month).padStart(2, "0")}, got ${day}`);
}
