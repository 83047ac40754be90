/** `nodetool.input.*`: the types NodeTool declares, their params, schemas and what each hands on. */
import { describe, expect, it } from "vitest";
import { checkGraph } from "../../edge/graph/check";
import { runWorkflow } from "../../engine/executor/run-workflow";
import { MemoryBlobStore } from "../../engine/media/memory-blob-store";
import type { EngineServices } from "../../engine/registry/types";
import { MemoryWorkspace } from "../../engine/workspace/memory-workspace";
import { GraphSchema, type Graph } from "../../schema/workflow";
import { registry, run } from "./helpers";

/** One input node wired to an Output named `out` through the given handle. */
function single(type: string, data: Record<string, unknown> = {}, handle = "output"): Graph {
  return GraphSchema.parse({
    nodes: [
      { id: "in", type, data: { name: "x", ...data } },
      { id: "out", type: "nodetool.output.Output", data: { name: "out" } },
    ],
    edges: [{ id: "e", source: "in", sourceHandle: handle, target: "out", targetHandle: "value" }],
  });
}

const INPUT_TYPES = [
  "ASRModelInput",
  "AssetFolderInput",
  "AudioInput",
  "AudioListInput",
  "BooleanInput",
  "ColorInput",
  "DataframeInput",
  "DocumentFileInput",
  "DocumentInput",
  "EmbeddingModelInput",
  "FilePathInput",
  "FloatInput",
  "FolderPathInput",
  "HuggingFaceModelInput",
  "ImageInput",
  "ImageListInput",
  "ImageModelInput",
  "ImageSizeInput",
  "IntegerInput",
  "LanguageModelInput",
  "MessageDeconstructor",
  "MessageInput",
  "MessageListInput",
  "Model3DInput",
  "SelectInput",
  "StringInput",
  "StringListInput",
  "TTSModelInput",
  "TextListInput",
  "VideoInput",
  "VideoListInput",
  "VideoModelInput",
];

describe("the nodetool.input namespace", () => {
  it("declares NodeTool's input types with name, value and description", () => {
    const declared = registry
      .all()
      .map((d) => d.type)
      .filter((t) => t.startsWith("nodetool.input."))
      .map((t) => t.slice("nodetool.input.".length))
      .sort();
    // Issue 15: RealtimeAudioInput is declared now that a WebSocket run can feed it (stream_input).
    expect(declared).toEqual([...INPUT_TYPES, "RealtimeAudioInput"].sort());
    expect(registry.get("nodetool.input.RealtimeAudioInput")!.isStreamingOutput).toBe(true);
    for (const name of INPUT_TYPES.filter((n) => n !== "MessageDeconstructor")) {
      const decl = registry.get(`nodetool.input.${name}`)!;
      expect(decl.kind, name).toBe("input");
      expect(decl.properties.slice(0, 3).map((p) => p.name), name).toEqual(["name", "value", "description"]);
    }
    expect(registry.get("nodetool.input.DocumentFileInput")!.outputs.map((o) => o.name)).toEqual(["document", "path"]);
    expect(registry.get("nodetool.input.MessageDeconstructor")!.outputs.map((o) => o.name)).toEqual([
      "id",
      "thread_id",
      "role",
      "text",
      "image",
      "audio",
      "model",
    ]);
  });

  it("model inputs pass the chosen model on; their default is NodeTool's empty choice", async () => {
    for (const [type, valueType] of [
      ["ImageModelInput", "image_model"],
      ["TTSModelInput", "tts_model"],
      ["ASRModelInput", "asr_model"],
      ["EmbeddingModelInput", "embedding_model"],
      ["VideoModelInput", "video_model"],
    ]) {
      const graph = single(`nodetool.input.${type}`);
      const dflt = await run(graph);
      expect(dflt.result.out, type).toMatchObject({ type: valueType, provider: "empty", id: "" });
      const chosen = { type: valueType, provider: "openai", id: "m-1" };
      expect((await run(graph, { x: chosen })).result.out, type).toEqual(chosen);
      const schema = checkGraph(graph, undefined, registry).input_schema as { properties: Record<string, Record<string, unknown>> };
      expect(schema.properties.x.type, type).toBe("object");
      expect(checkGraph(graph, { x: "gpt" }, registry).issues, type).toContainEqual(
        expect.objectContaining({ property: "x", message: expect.stringMatching(/must be a .* object/) }),
      );
    }
  });

  it("ColorInput takes a colour object or a hex string; ImageSizeInput checks its dimensions", async () => {
    const color = single("nodetool.input.ColorInput");
    expect((await run(color, { x: "#ff8800" })).result.out).toEqual({ type: "color", value: "#ff8800" });
    const size = single("nodetool.input.ImageSizeInput");
    expect((await run(size, { x: { width: 512, height: 256 } })).result.out).toEqual({ width: 512, height: 256 });
    expect(checkGraph(size, { x: { width: -1, height: 2 } }, registry).issues).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/width must be a positive integer/) }),
    );
  });

  it("FilePathInput and FolderPathInput hand their path on as text", async () => {
    expect((await run(single("nodetool.input.FilePathInput"), { x: "notes/a.txt" })).result.out).toBe("notes/a.txt");
    expect((await run(single("nodetool.input.FolderPathInput", {}, "value"), { x: "notes" })).result.out).toBe("notes");
  });

  it("MessageInput and MessageListInput pass messages; a list of non-objects is refused", async () => {
    const msg = { type: "message", role: "user", content: "hi" };
    expect((await run(single("nodetool.input.MessageInput"), { x: msg })).result.out).toEqual(msg);
    const list = single("nodetool.input.MessageListInput");
    expect((await run(list, { x: [msg, msg] })).result.out).toEqual([msg, msg]);
    expect(checkGraph(list, { x: ["hi"] }, registry).valid).toBe(false);
  });

  it("DataframeInput passes inline rows; AssetFolderInput a folder reference; Model3DInput a data: URI", async () => {
    const df = { type: "dataframe", columns: [{ name: "a", data_type: "int" }], data: [[1], [2]] };
    expect((await run(single("nodetool.input.DataframeInput"), { x: df })).result.out).toEqual(df);
    const folder = { type: "folder", asset_id: "f1" };
    expect((await run(single("nodetool.input.AssetFolderInput"), { x: folder })).result.out).toEqual(folder);
    const bad = await run(single("nodetool.input.AssetFolderInput", { value: 5 }));
    expect(bad.status).toBe("failed");
    const model = await run(single("nodetool.input.Model3DInput"), { x: "data:model/gltf-binary;base64,Z2xURg==" });
    expect(model.result.out).toMatchObject({ type: "model_3d", uri: "data:model/gltf-binary;base64,Z2xURg==" });
  });

  it("DocumentFileInput reads its path from the user's workspace and hands on the document and the path", async () => {
    const workspace = new MemoryWorkspace();
    await workspace.write("docs/readme.txt", new TextEncoder().encode("hello workspace"), "text/plain");
    const graph = GraphSchema.parse({
      nodes: [
        { id: "in", type: "nodetool.input.DocumentFileInput", data: { name: "file" } },
        { id: "doc", type: "nodetool.output.Output", data: { name: "doc" } },
        { id: "path", type: "nodetool.output.Output", data: { name: "path" } },
      ],
      edges: [
        { id: "e1", source: "in", sourceHandle: "document", target: "doc", targetHandle: "value" },
        { id: "e2", source: "in", sourceHandle: "path", target: "path", targetHandle: "value" },
      ],
    });
    const blobs = new MemoryBlobStore();
    const services: Partial<EngineServices> = { workspace, blobs };
    const r = await runWorkflow(graph, { file: "docs/readme.txt" }, { registry, services });
    expect(r.status).toBe("completed");
    expect(r.result.path).toBe("docs/readme.txt");
    const doc = r.result.doc as { type: string; uri: string };
    expect(doc.type).toBe("document");
    expect(new TextDecoder().decode((await blobs.read(doc.uri)).bytes)).toBe("hello workspace");

    const missing = await runWorkflow(graph, { file: "docs/none.txt" }, { registry, services });
    expect(missing.status).toBe("failed");
    expect(missing.error).toMatch(/'docs\/none.txt' was not found in the workspace/);
    const noWorkspace = await runWorkflow(graph, { file: "docs/readme.txt" }, { registry });
    expect(noWorkspace.error).toMatch(/no workspace/);
  });
});

describe("MessageDeconstructor", () => {
  const split = async (value: unknown) => {
    const outs = ["id", "thread_id", "role", "text", "image", "audio", "model"];
    const graph = GraphSchema.parse({
      nodes: [
        { id: "m", type: "nodetool.input.MessageDeconstructor", data: { value } },
        ...outs.map((o) => ({ id: o, type: "nodetool.output.Output", data: { name: o } })),
      ],
      edges: outs.map((o) => ({ id: o, source: "m", sourceHandle: o, target: o, targetHandle: "value" })),
    });
    const r = await run(graph);
    expect(r.status).toBe("completed");
    return r.result;
  };

  it("splits a message with content parts into text, image, audio and model", async () => {
    const image = { type: "image", uri: "asset://i.png" };
    const audio = { type: "audio", uri: "asset://a.mp3" };
    const result = await split({
      type: "message",
      id: "m1",
      thread_id: "t1",
      role: "user",
      content: [
        { type: "text", text: "look at this" },
        { type: "image_url", image },
        { type: "audio", audio },
      ],
      provider: "openai",
      model: "gpt-4o",
    });
    expect(result).toEqual({
      id: "m1",
      thread_id: "t1",
      role: "user",
      text: "look at this",
      image,
      audio,
      model: { type: "language_model", provider: "openai", id: "gpt-4o" },
    });
  });

  it("takes string content as the text and leaves missing parts null", async () => {
    const result = await split({ type: "message", role: "assistant", content: "plain" });
    expect(result).toEqual({ id: null, thread_id: null, role: "assistant", text: "plain", image: null, audio: null, model: null });
  });
});
