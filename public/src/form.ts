import type { Asset, JsonSchema } from "./api";
import { h } from "./dom";

/**
 * A form generated from a workflow's `input_schema` (one property per input node): text fields, numbers
 * with a slider when both bounds are set, checkboxes, selects for enums, file pickers for media inputs
 * (uploaded as assets when the form is read), one-per-line lists, and JSON for anything else.
 */

const MEDIA_TYPES = ["image", "audio", "video", "document"];

/** The media type a schema describes (`{type: "object", properties: {type: {const: "image"}}}`), if any. */
export function mediaTypeOf(schema: JsonSchema | undefined): string | null {
  const t = schema?.properties?.type?.const;
  return schema?.type === "object" && typeof t === "string" && MEDIA_TYPES.includes(t) ? t : null;
}

const ACCEPT: Record<string, string> = { image: "image/*", audio: "audio/*", video: "video/*", document: "" };

type Reader = (upload: (file: File) => Promise<Asset>) => Promise<unknown>;

interface Field {
  name: string;
  label: string;
  read: Reader;
}

export class ParamsForm {
  private fields: Field[] = [];

  constructor(private readonly container: HTMLElement) {}

  /** Rebuilds the fields for `schema`, filled with `values` where given, else with the schema's defaults. */
  build(schema: JsonSchema | null | undefined, values: Record<string, unknown> = {}): void {
    this.container.replaceChildren();
    this.fields = [];
    const properties = schema?.properties ?? {};
    const names = Object.keys(properties);
    if (names.length === 0) {
      this.container.append(h("p", { class: "hint" }, "This workflow takes no inputs."));
      return;
    }
    names.forEach((name, i) => {
      const prop = properties[name];
      const id = `param-${i}`;
      const value = Object.hasOwn(values, name) ? values[name] : prop.default;
      const { control, read, kind } = fieldFor(id, prop, value);
      const label = typeof prop.label === "string" && prop.label !== "" ? prop.label : name;
      const row = h(
        "div",
        { class: `field field-${kind}`, "data-param": name, "data-kind": kind },
        h("label", { for: id }, label),
        control,
        typeof prop.description === "string" && prop.description !== "" ? h("small", { class: "hint" }, prop.description) : null,
      );
      this.container.append(row);
      this.fields.push({ name, label, read });
    });
  }

  /** The params to send; files are uploaded first. Throws with a message naming the field on bad input. */
  async read(upload: (file: File) => Promise<Asset>): Promise<Record<string, unknown>> {
    const params: Record<string, unknown> = {};
    for (const field of this.fields) {
      let value: unknown;
      try {
        value = await field.read(upload);
      } catch (err) {
        throw new Error(`${field.label}: ${(err as Error).message}`);
      }
      if (value !== undefined) params[field.name] = value;
    }
    return params;
  }
}

interface Built {
  control: HTMLElement;
  read: Reader;
  kind: string;
}

function fieldFor(id: string, schema: JsonSchema, value: unknown): Built {
  const media = mediaTypeOf(schema);
  if (media) return fileField(id, media, false);
  if (schema.type === "array" && mediaTypeOf(schema.items)) return fileField(id, mediaTypeOf(schema.items)!, true);
  if (Array.isArray(schema.enum)) return selectField(id, schema.enum, value);
  switch (schema.type) {
    case "boolean":
      return checkboxField(id, value);
    case "integer":
    case "number":
      return numberField(id, schema, value);
    case "string":
      return textField(id, schema, value);
    case "array":
      if (schema.items?.type === "string") return linesField(id, value);
      return jsonField(id, value);
    default:
      return jsonField(id, value);
  }
}

function textField(id: string, schema: JsonSchema, value: unknown): Built {
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  const max = typeof schema.maxLength === "number" && schema.maxLength > 0 ? schema.maxLength : undefined;
  // Long or multi-line defaults get a text area.
  const control =
    text.includes("\n") || text.length > 80
      ? h("textarea", { id, rows: 4, maxlength: max })
      : h("input", { id, type: "text", maxlength: max, autocomplete: "off" });
  control.value = text;
  return { control, kind: "text", read: async () => control.value };
}

function numberField(id: string, schema: JsonSchema, value: unknown): Built {
  const integer = schema.type === "integer";
  const min = typeof schema.minimum === "number" ? schema.minimum : undefined;
  const max = typeof schema.maximum === "number" ? schema.maximum : undefined;
  const step = integer ? "1" : "any";
  const input = h("input", { id, type: "number", step, min, max, inputmode: integer ? "numeric" : "decimal" });
  input.value = typeof value === "number" ? String(value) : "";
  let control: HTMLElement = input;
  if (min !== undefined && max !== undefined && max > min) {
    const slider = h("input", { type: "range", min, max, step, "aria-label": "slider" });
    slider.value = input.value || String(min);
    slider.addEventListener("input", () => {
      input.value = slider.value;
    });
    input.addEventListener("input", () => {
      if (input.value !== "") slider.value = input.value;
    });
    control = h("div", { class: "number-with-slider" }, input, slider);
  }
  return {
    control,
    kind: "number",
    read: async () => {
      if (input.value.trim() === "") return undefined; // the workflow's own default
      const n = Number(input.value);
      if (!Number.isFinite(n)) throw new Error(`'${input.value}' is not a number`);
      return n;
    },
  };
}

function checkboxField(id: string, value: unknown): Built {
  const control = h("input", { id, type: "checkbox" });
  control.checked = value === true;
  return { control, kind: "boolean", read: async () => control.checked };
}

function selectField(id: string, options: unknown[], value: unknown): Built {
  const control = h("select", { id });
  for (const option of options) control.append(h("option", { value: String(option) }, String(option)));
  if (value !== undefined && value !== null && options.map(String).includes(String(value))) control.value = String(value);
  return { control, kind: "select", read: async () => options.find((o) => String(o) === control.value) ?? control.value };
}

function linesField(id: string, value: unknown): Built {
  const control = h("textarea", { id, rows: 4, placeholder: "one item per line" });
  control.value = Array.isArray(value) ? value.map(String).join("\n") : "";
  return {
    control,
    kind: "lines",
    read: async () =>
      control.value
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== ""),
  };
}

function jsonField(id: string, value: unknown): Built {
  const control = h("textarea", { id, rows: 3, class: "mono", placeholder: "JSON" });
  control.value = value === undefined ? "" : JSON.stringify(value, null, 2);
  return {
    control,
    kind: "json",
    read: async () => {
      if (control.value.trim() === "") return undefined;
      try {
        return JSON.parse(control.value);
      } catch {
        throw new Error("is not valid JSON");
      }
    },
  };
}

/** Media: the chosen file is uploaded (POST /api/assets) and sent as `{type, uri: "asset://...", asset_id}`. */
function fileField(id: string, mediaType: string, multiple: boolean): Built {
  const control = h("input", { id, type: "file", accept: ACCEPT[mediaType] || false, multiple });
  const ref = (asset: Asset) => ({ type: mediaType, uri: asset.uri, asset_id: asset.id });
  return {
    control,
    kind: "file",
    read: async (upload) => {
      const files = [...(control.files ?? [])];
      if (files.length === 0) return undefined; // the workflow's own default
      const assets = await Promise.all(files.map(upload));
      return multiple ? assets.map(ref) : ref(assets[0]);
    },
  };
}
