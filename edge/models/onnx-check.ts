/**
 * Checks, while an upload streams past, that the bytes are an ONNX ModelProto at the top level: a sequence
 * of protobuf fields with well-formed varint tags and lengths, valid wire types, the wire type onnx.proto
 * gives each known field, an `ir_version` (field 1) and a `graph` (field 7). Length-delimited fields (the
 * graph holds the weights) are skipped without being buffered, so memory stays constant whatever the size;
 * a field may span any number of chunks. Nested messages are the runner's to load: this is a cheap gate
 * that keeps what is obviously not a model (an image, a text file, a truncated download) out of storage.
 */

/** ModelProto fields of onnx.proto and their wire types (0 varint, 2 length-delimited). */
const MODEL_PROTO_FIELDS: Record<number, { name: string; wire: number }> = {
  1: { name: "ir_version", wire: 0 },
  2: { name: "producer_name", wire: 2 },
  3: { name: "producer_version", wire: 2 },
  4: { name: "domain", wire: 2 },
  5: { name: "model_version", wire: 0 },
  6: { name: "doc_string", wire: 2 },
  7: { name: "graph", wire: 2 },
  8: { name: "opset_import", wire: 2 },
  14: { name: "metadata_props", wire: 2 },
  20: { name: "training_info", wire: 2 },
  25: { name: "functions", wire: 2 },
  26: { name: "configuration", wire: 2 },
};
const IR_VERSION = 1;
const GRAPH = 7;
/** IR versions in use are single digits today; anything far beyond is not a model. */
const MAX_IR_VERSION = 100;
const MAX_FIELD_NUMBER = 2 ** 29 - 1;
const WIRE_NAMES = ["varint", "64-bit", "length-delimited", "start-group", "end-group", "32-bit", "invalid (6)", "invalid (7)"];

/** The bytes are not an ONNX model; the message says why and where. */
export class InvalidModelError extends Error {
  constructor(
    message: string,
    /** The structure is plausible but a field alone needs more bytes than the file may have. */
    readonly tooLarge = false,
  ) {
    super(message);
    this.name = "InvalidModelError";
  }
}

type State = "tag" | "varint-value" | "length" | "skip";

export class OnnxStructureCheck {
  private state: State = "tag";
  /** The varint being read (tag, value or length) and how many bytes of it were seen. */
  private acc = 0;
  private varintBytes = 0;
  private fieldStart = 0;
  private field = 0;
  /** Bytes of the current fixed-size or length-delimited field still to skip. */
  private remaining = 0;
  private offset = 0;
  private irVersion: number | null = null;
  private graphBytes: number | null = null;

  /** `maxBytes`: the most the whole file may have, so a length beyond it fails at once, not at the end. */
  constructor(private readonly maxBytes = Number.MAX_SAFE_INTEGER) {}

  private fail(why: string): never {
    throw new InvalidModelError(`Not an ONNX model: ${why}`);
  }

  /** Feeds the next chunk; throws InvalidModelError as soon as the bytes cannot be a ModelProto. */
  write(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === "skip") {
        const take = Math.min(this.remaining, n - i);
        i += take;
        this.offset += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = "tag";
        continue;
      }
      const byte = chunk[i++];
      this.offset++;
      if (this.varintBytes === 0 && this.state === "tag") this.fieldStart = this.offset - 1;
      this.acc += (byte & 0x7f) * 2 ** (7 * this.varintBytes);
      this.varintBytes++;
      if (byte & 0x80) {
        if (this.varintBytes >= 10) this.fail(`a varint at byte ${this.fieldStart} is longer than 10 bytes`);
        continue;
      }
      const value = this.acc;
      this.acc = 0;
      this.varintBytes = 0;
      this.completeVarint(value);
    }
  }

  private completeVarint(value: number): void {
    switch (this.state) {
      case "tag": {
        const wire = value % 8;
        const field = Math.floor(value / 8);
        if (field === 0 || field > MAX_FIELD_NUMBER) this.fail(`invalid field number ${field} at byte ${this.fieldStart}`);
        if (wire === 3 || wire === 4 || wire > 5) this.fail(`field ${field} at byte ${this.fieldStart} has wire type ${WIRE_NAMES[wire]}, which ONNX never uses`);
        const known = MODEL_PROTO_FIELDS[field];
        if (known && known.wire !== wire) {
          this.fail(`field ${field} (${known.name}) at byte ${this.fieldStart} is ${WIRE_NAMES[wire]}, expected ${WIRE_NAMES[known.wire]}`);
        }
        this.field = field;
        if (wire === 0) this.state = "varint-value";
        else if (wire === 2) this.state = "length";
        else this.skip(wire === 1 ? 8 : 4);
        return;
      }
      case "varint-value":
        if (this.field === IR_VERSION) {
          if (value < 1 || value > MAX_IR_VERSION) this.fail(`ir_version ${value} is not a valid ONNX IR version`);
          this.irVersion = value;
        }
        this.state = "tag";
        return;
      case "length":
        if (value > this.maxBytes - this.offset) {
          throw new InvalidModelError(`field ${this.field} at byte ${this.fieldStart} claims ${value} bytes, more than the file may have (${this.maxBytes} bytes)`, true);
        }
        if (this.field === GRAPH) this.graphBytes = value;
        this.skip(value);
        return;
      default:
        return;
    }
  }

  private skip(bytes: number): void {
    this.remaining = bytes;
    this.state = bytes === 0 ? "tag" : "skip";
  }

  /** Bytes fed so far. */
  get bytes(): number {
    return this.offset;
  }

  /** Called at the end of the file: it must end between fields and have had an ir_version and a graph. */
  finish(): { irVersion: number; graphBytes: number } {
    if (this.offset === 0) this.fail("the file is empty");
    if (this.state === "tag" && this.varintBytes !== 0) this.fail(`the file ends inside a field tag at byte ${this.fieldStart} (truncated?)`);
    if (this.state !== "tag") this.fail(`the file ends in the middle of field ${this.field} at byte ${this.fieldStart} (truncated?)`);
    if (this.irVersion === null) this.fail("no ir_version (field 1)");
    if (this.graphBytes === null) this.fail("no graph (field 7)");
    return { irVersion: this.irVersion, graphBytes: this.graphBytes };
  }
}
