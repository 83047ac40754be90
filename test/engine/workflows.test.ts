import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { WorkflowInputSchema } from "../../schema/workflow";
import { graph, run } from "./helpers";

/**
 * Whole workflows in NodeTool's format that mirror NodeTool's own examples, each asserting the exact
 * result map.
 */
describe("NodeTool-style workflows", () => {
  // IntegerInput -> two Compare -> LogicalOperator -> ConditionalSwitch over FormatText branches -> Output
  const decision = graph(
    [
      { id: "value", type: "nodetool.input.IntegerInput", data: { name: "value", value: 75, min: 0, max: 200 } },
      { id: "gt", type: "nodetool.boolean.Compare", data: { b: 100, comparison: ">" } },
      { id: "lt", type: "nodetool.boolean.Compare", data: { b: 50, comparison: "Comparison.LESS_THAN" } },
      { id: "or", type: "nodetool.boolean.LogicalOperator", data: { operation: "or" } },
      { id: "high", type: "nodetool.text.FormatText", data: { template: "HIGH: {{ value }}" }, dynamic_properties: { value: null } },
      { id: "low", type: "nodetool.text.FormatText", data: { template: "LOW: {{ value }}" }, dynamic_properties: { value: null } },
      { id: "mid", type: "nodetool.text.FormatText", data: { template: "MEDIUM: {{ value }}" }, dynamic_properties: { value: null } },
      { id: "low-or-mid", type: "nodetool.boolean.ConditionalSwitch", data: {} },
      { id: "route", type: "nodetool.boolean.ConditionalSwitch", data: {} },
      { id: "extreme", type: "nodetool.boolean.ConditionalSwitch", data: { if_true: "EXTREME", if_false: "NORMAL" } },
      {
        id: "report",
        type: "nodetool.text.FormatText",
        data: { template: "{{ value }} >100={{ gt }} <50={{ lt }} or={{ either }} -> {{ kind }} / {{ path }}" },
        dynamic_properties: { value: null, gt: null, lt: null, either: null, kind: null, path: null },
      },
      { id: "out", type: "nodetool.output.Output", data: { name: "decision" } },
    ],
    [
      ["value", "output", "gt", "a"],
      ["value", "output", "lt", "a"],
      ["gt", "output", "or", "a"],
      ["lt", "output", "or", "b"],
      ["or", "output", "extreme", "condition"],
      ["value", "output", "high", "value"],
      ["value", "output", "low", "value"],
      ["value", "output", "mid", "value"],
      ["lt", "output", "low-or-mid", "condition"],
      ["low", "output", "low-or-mid", "if_true"],
      ["mid", "output", "low-or-mid", "if_false"],
      ["gt", "output", "route", "condition"],
      ["high", "output", "route", "if_true"],
      ["low-or-mid", "output", "route", "if_false"],
      ["value", "output", "report", "value"],
      ["gt", "output", "report", "gt"],
      ["lt", "output", "report", "lt"],
      ["or", "output", "report", "either"],
      ["extreme", "output", "report", "kind"],
      ["route", "output", "report", "path"],
      ["report", "output", "out", "value"],
    ],
  );

  it.each([
    [75, "75 >100=false <50=false or=false -> NORMAL / MEDIUM: 75"],
    [150, "150 >100=true <50=false or=true -> EXTREME / HIGH: 150"],
    [20, "20 >100=false <50=true or=true -> EXTREME / LOW: 20"],
  ])("routes %i through the decision graph", async (value, expected) => {
    const r = await run(decision, { value });
    expect(r.status).toBe("completed");
    expect(r.result).toEqual({ decision: expected });
  });

  it("fills a template from inputs whose names contain spaces", async () => {
    const g = graph(
      [
        { id: "first", type: "nodetool.input.StringInput", data: { name: "first name", value: "Ada" } },
        { id: "last", type: "nodetool.input.StringInput", data: { name: "last name", value: "Lovelace" } },
        { id: "tpl", type: "nodetool.text.FormatText", data: { template: "Dear {{ first }} {{ last | upper }}," }, dynamic_properties: { first: null, last: null } },
        { id: "out", type: "nodetool.output.Output", data: { name: "salutation" } },
      ],
      [
        ["first", "output", "tpl", "first"],
        ["last", "output", "tpl", "last"],
        ["tpl", "output", "out", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ salutation: "Dear Ada LOVELACE," });
    expect((await run(g, { "first name": "Grace", "last name": "Hopper" })).result).toEqual({ salutation: "Dear Grace HOPPER," });
  });

  it("runs a ForEach -> transform -> Collect pipeline", async () => {
    const g = graph(
      [
        { id: "names", type: "nodetool.input.StringListInput", data: { name: "names", value: ["ada", "grace", "linus"] } },
        { id: "each", type: "nodetool.control.ForEach", data: {} },
        { id: "fmt", type: "nodetool.text.FormatText", data: { template: "{{ i }}:{{ name | title }}" }, dynamic_properties: { i: null, name: null } },
        { id: "collect", type: "nodetool.control.Collect", data: {} },
        { id: "out", type: "nodetool.output.Output", data: { name: "labels" } },
      ],
      [
        ["names", "output", "each", "input_list"],
        ["each", "output", "fmt", "name"],
        ["each", "index", "fmt", "i"],
        ["fmt", "output", "collect", "input_item"],
        ["collect", "output", "out", "value"],
      ],
    );
    const r = await run(g);
    expect(r.result).toEqual({ labels: ["0:Ada", "1:Grace", "2:Linus"] });
  });

  it("batches a fanned-out list with the trailing partial batch", async () => {
    const g = graph(
      [
        { id: "src", type: "nodetool.constant.List", data: { value: ["a", "b", "c", "d", "e", "f", "g"] } },
        { id: "fan", type: "nodetool.control.Collection", data: { items: [] } },
        { id: "chunk", type: "nodetool.control.Chunk", data: { size: 3 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "batches" } },
      ],
      [
        ["src", "output", "fan", "items"],
        ["fan", "output", "chunk", "input_item"],
        ["chunk", "output", "out", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ batches: [["a", "b", "c"], ["d", "e", "f"], ["g"]] });
  });

  it("builds a cross product, left item outer", async () => {
    const g = graph(
      [
        { id: "a", type: "nodetool.constant.List", data: { value: ["portrait", "landscape"] } },
        { id: "b", type: "nodetool.constant.List", data: { value: ["dawn", "noon", "dusk"] } },
        { id: "fa", type: "nodetool.control.Collection", data: { items: [] } },
        { id: "fb", type: "nodetool.control.Collection", data: { items: [] } },
        { id: "x", type: "nodetool.control.Cross", data: {} },
        { id: "ol", type: "nodetool.output.Output", data: { name: "framing" } },
        { id: "or", type: "nodetool.output.Output", data: { name: "time" } },
      ],
      [
        ["a", "output", "fa", "items"],
        ["b", "output", "fb", "items"],
        ["fa", "output", "x", "left"],
        ["fb", "output", "x", "right"],
        ["x", "left", "ol", "value"],
        ["x", "right", "or", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({
      framing: ["portrait", "portrait", "portrait", "landscape", "landscape", "landscape"],
      time: ["dawn", "noon", "dusk", "dawn", "noon", "dusk"],
    });
  });

  it("runs a file exported from the NodeTool editor unmodified (Comment node, ui_properties, extra fields)", async () => {
    const file = JSON.parse(readFileSync(new URL("../fixtures/workflows/exported-decision.json", import.meta.url), "utf8"));
    const doc = WorkflowInputSchema.parse(file);
    expect(doc.etag).toBe('W/"abc123"');
    expect((await run(doc.graph)).result).toEqual({ report: "21.5 °C (hot: false, cold: false): Dress as you like." });
    expect((await run(doc.graph, { "celsius reading": 35 })).result).toEqual({ report: "35 °C (hot: true, cold: false): Stay in the shade." });
    expect((await run(doc.graph, { "celsius reading": -3.5 })).result).toEqual({ report: "-3.5 °C (hot: false, cold: true): Wear a coat." });
  });

  it("drops bypassed nodes and reconnects around them", async () => {
    const g = graph(
      [
        { id: "in", type: "nodetool.input.StringInput", data: { name: "text", value: "Quiet" } },
        { id: "up", type: "nodetool.text.ToUppercase", data: {} },
        { id: "out", type: "nodetool.output.Output", data: { name: "text" } },
      ],
      [
        ["in", "output", "up", "text"],
        ["up", "output", "out", "value"],
      ],
    );
    expect((await run(g)).result).toEqual({ text: "QUIET" });
    (g.nodes[1] as { ui_properties?: Record<string, unknown> }).ui_properties = { bypassed: true };
    expect((await run(g)).result).toEqual({ text: "Quiet" });
  });

  it("fails the job with the node's error and stops, without throwing", async () => {
    const g = graph(
      [
        { id: "n", type: "nodetool.input.FloatInput", data: { name: "n", value: 1, min: -10, max: 10 } },
        { id: "div", type: "lib.math.Divide", data: { b: 0 } },
        { id: "out", type: "nodetool.output.Output", data: { name: "q" } },
      ],
      [
        ["n", "output", "div", "a"],
        ["div", "output", "out", "value"],
      ],
    );
    const r = await run(g);
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/node div/);
    expect(r.messages).toContainEqual(expect.objectContaining({ type: "node_update", node_id: "div", status: "error" }));
    expect(r.messages.at(-1)).toMatchObject({ type: "job_update", status: "failed" });
  });
});
