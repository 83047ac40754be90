import { describe, expect, it } from "vitest";
import { call } from "./users";

type Manifest = { id: string; name: string; version: string; kind: string; node_count: number; node_types: string[] };
type Plugin = Manifest & { readme: string };

const manifests = async (user: string, method = "GET", path = "/api/plugins") => {
  const res = await call(user, method, path);
  expect(res.status).toBe(200);
  return (await res.json()) as { plugins: Manifest[]; count: number };
};

const presetBody = {
  name: "upper",
  graph: {
    nodes: [
      { id: "in", type: "nodetool.input.StringInput", data: { name: "text", value: "" } },
      { id: "up", type: "nodetool.text.ToUppercase", data: {} },
      { id: "out", type: "nodetool.output.Output", data: { name: "upper" } },
    ],
    edges: [
      { id: "a", source: "in", sourceHandle: "output", target: "up", targetHandle: "text" },
      { id: "b", source: "up", sourceHandle: "output", target: "out", targetHandle: "value" },
    ],
  },
};

describe("plugins", () => {
  it("are documented in the OpenAPI document, with the other node-graph routes", async () => {
    const doc = (await (await call(null, "GET", "/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, method] of [
      ["/api/plugins", "get"],
      ["/api/plugins/{id}", "get"],
      ["/api/plugins/reload", "post"],
      ["/api/presets", "get"],
      ["/api/presets/{name}", "delete"],
      ["/api/presets/create", "post"],
      ["/api/nodes/reload", "post"],
      ["/api/graph/save", "post"],
      ["/api/graph/load/{name}", "get"],
      ["/api/graph/list", "get"],
    ]) {
      expect(doc.paths[path], path).toHaveProperty(method);
    }
  });

  it("refuse every route without a token", async () => {
    expect((await call(null, "GET", "/api/plugins")).status).toBe(401);
    expect((await call(null, "GET", "/api/plugins/nodetool.text")).status).toBe(401);
    expect((await call(null, "POST", "/api/plugins/reload")).status).toBe(401);
  });

  it("list one manifest per built-in namespace, covering the whole catalog", async () => {
    const { plugins, count } = await manifests("plugin-reader");
    expect(count).toBe(plugins.length);
    const text = plugins.find((p) => p.id === "nodetool.text")!;
    expect(text).toMatchObject({ name: "Text", kind: "builtin", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(text.node_types).toContain("nodetool.text.ToUppercase");
    expect(text.node_count).toBe(text.node_types.length);
    expect(plugins.find((p) => p.id === "lib.math")!.node_types).toContain("lib.math.Add");
    const catalog = (await (await call("plugin-reader", "GET", "/api/nodes")).json()) as { nodes: { type: string }[] };
    const covered = plugins.flatMap((p) => p.node_types).sort();
    expect(covered).toEqual(catalog.nodes.map((n) => n.type).sort());
  });

  it("give one plugin's manifest with a README, and 404 for an unknown id", async () => {
    const res = await call("plugin-reader", "GET", "/api/plugins/lib.math");
    expect(res.status).toBe(200);
    const plugin = (await res.json()) as Plugin;
    expect(plugin.id).toBe("lib.math");
    expect(plugin.readme).toMatch(/^# Math\n/);
    expect(plugin.readme).toContain("### Add (`lib.math.Add`)");
    expect(plugin.readme).toContain("| a |");
    expect((await call("plugin-reader", "GET", "/api/plugins/no.such.pack")).status).toBe(404);
  });

  it("hold the caller's presets as a plugin of their own, for them only", async () => {
    const empty = (await manifests("plugin-owner")).plugins.find((p) => p.id === "user.presets")!;
    expect(empty).toMatchObject({ kind: "presets", node_count: 0, version: "0" });
    expect((await call("plugin-owner", "POST", "/api/presets/create", presetBody)).status).toBe(201);
    const reloaded = await manifests("plugin-owner", "POST", "/api/plugins/reload");
    const mine = reloaded.plugins.find((p) => p.id === "user.presets")!;
    expect(mine).toMatchObject({ node_count: 1, node_types: ["preset.upper"] });
    expect(mine.version).not.toBe("0");
    const plugin = (await (await call("plugin-owner", "GET", "/api/plugins/user.presets")).json()) as Plugin;
    expect(plugin.readme).toContain("### upper (`preset.upper`)");
    expect(plugin.readme).toContain("| text | str |");
    const theirs = (await (await call("plugin-stranger", "GET", "/api/plugins/user.presets")).json()) as Plugin;
    expect(theirs.node_types).toEqual([]);
  });
});
