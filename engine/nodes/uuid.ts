/**
 * `lib.uuid.*`: generating, checking and formatting UUIDs (the `uuid` package generates; engine/uuid reads
 * strings as Python's `uuid.UUID` does). NodeTool: nodetool-base src/nodetool/nodes/lib/uuid.py.
 */
import { v1, v3, v4, v5 } from "uuid";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { integer, parsePyUuid, standard, UuidError, variant, version } from "../uuid/py-uuid";
import { enumValue, toText } from "../values/coerce";

/** Python's `uuid.NAMESPACE_*`. */
const NAMESPACES: Record<string, string> = {
  dns: "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  url: "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  oid: "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
  x500: "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
};

const UUID_FORMAT = { STANDARD: "standard", HEX: "hex", URN: "urn", INT: "int", BYTES_HEX: "bytes_hex" } as const;

function namespaceOf(value: unknown): string {
  const ns = toText(value ?? "dns");
  const named = NAMESPACES[ns.toLowerCase()];
  if (named) return named;
  try {
    return standard(parsePyUuid(ns));
  } catch {
    throw new Error(`Invalid namespace: ${ns}. Use dns, url, oid, x500, or a valid UUID string`);
  }
}

const nameBased = (v: 3 | 5, hash: string): NodeDecl =>
  defineNode({
    type: `lib.uuid.GenerateUUID${v}`,
    title: `Generate UUID${v}`,
    description: `Generate a name-based UUID using ${hash} (version ${v}).\n    uuid, name, identifier, unique, guid, deterministic`,
    properties: [
      prop("namespace", "str", "dns", { description: "Namespace (dns, url, oid, x500, or a UUID string)" }),
      prop("name", "str", "", { description: "Name to generate UUID from" }),
    ],
    outputs: [out("output", "str")],
    process: (inputs) => ({ output: (v === 3 ? v3 : v5)(toText(inputs.name), namespaceOf(inputs.namespace)) }),
  });

const generator = (v: 1 | 4, what: string, make: () => string): NodeDecl =>
  defineNode({
    type: `lib.uuid.GenerateUUID${v}`,
    title: `Generate UUID${v}`,
    description: `Generate a ${what} UUID (version ${v}).\n    uuid, identifier, unique, guid`,
    outputs: [out("output", "str")],
    process: () => ({ output: make() }),
  });

export const uuidNodes: NodeDecl[] = [
  generator(4, "random", () => v4()),
  // The node field of a version-1 UUID is random here: a Worker has no MAC address to offer.
  generator(1, "time-based", () => v1()),
  nameBased(3, "MD5"),
  nameBased(5, "SHA-1"),
  // Invalid input is not an error: the dict says so (`is_valid: false` and the error), as in NodeTool.
  defineNode({
    type: "lib.uuid.ParseUUID",
    title: "Parse UUID",
    description: "Parse and validate a UUID string into its standard form, version, variant, hex and integer.\n    uuid, parse, validate, check, identifier",
    properties: [prop("uuid_string", "str", "", { description: "UUID string to parse" })],
    outputs: [out("output", "dict")],
    process: (inputs) => {
      const s = toText(inputs.uuid_string);
      try {
        const u = parsePyUuid(s);
        return { output: { uuid: standard(u), version: version(u), variant: variant(u), hex: u.hex, int: integer(u), is_valid: true } };
      } catch (err) {
        if (!(err instanceof UuidError)) throw err;
        return { output: { uuid: s, is_valid: false, error: err.message } };
      }
    },
  }),
  defineNode({
    type: "lib.uuid.FormatUUID",
    title: "Format UUID",
    description: "Format a UUID string as standard, hex, urn, int or bytes_hex.\n    uuid, format, convert, hex, urn, identifier",
    properties: [
      prop("uuid_string", "str", "", { description: "UUID string to format" }),
      prop("format", "enum", UUID_FORMAT.STANDARD, { values: Object.values(UUID_FORMAT), description: "Output format (standard, hex, urn, int, bytes_hex)" }),
    ],
    outputs: [out("output", "str")],
    process: (inputs) => {
      const s = toText(inputs.uuid_string);
      let u;
      try {
        u = parsePyUuid(s);
      } catch {
        throw new Error(`FormatUUID: Invalid UUID string: ${s}`);
      }
      const format = enumValue(inputs.format ?? "standard", UUID_FORMAT);
      switch (format) {
        case UUID_FORMAT.STANDARD:
          return { output: standard(u) };
        case UUID_FORMAT.HEX:
        case UUID_FORMAT.BYTES_HEX:
          return { output: u.hex };
        case UUID_FORMAT.URN:
          return { output: `urn:uuid:${standard(u)}` };
        case UUID_FORMAT.INT:
          return { output: integer(u) };
        default:
          throw new Error(`FormatUUID: unsupported format '${format}'`);
      }
    },
  }),
  defineNode({
    type: "lib.uuid.IsValidUUID",
    title: "Is Valid UUID",
    description: "Check if a string is a valid UUID.\n    uuid, validate, check, verify, identifier",
    properties: [prop("uuid_string", "str", "", { description: "String to check" })],
    outputs: [out("output", "bool")],
    process: (inputs) => {
      try {
        parsePyUuid(toText(inputs.uuid_string));
        return { output: true };
      } catch {
        return { output: false };
      }
    },
  }),
];
