import { describe, expect, it } from "vitest";
import type { InlineBytes } from "../../engine/media/data-uri";
import { renderElement } from "../../engine/svg/element";
import { packOutput as run, runPackNode } from "./data-pack-harness";

const S = (name: string) => `lib.svg.${name}`;
const color = (value: string) => ({ type: "color", value });

describe("lib.svg nodes", () => {
  it("shapes emit svg_element values with string attributes", async () => {
    expect(await run(S("Rect"), { x: 5, width: 20, fill: color("#ff0000") })).toEqual({
      type: "svg_element",
      name: "rect",
      attributes: { x: "5", y: "0", width: "20", height: "100", fill: "#ff0000", stroke: "none", "stroke-width": "1" },
      content: null,
      children: [],
    });
    expect(await run(S("Circle"), { cx: 1, cy: 2, radius: 3 })).toMatchObject({ name: "circle", attributes: { cx: "1", cy: "2", r: "3", fill: "#000000" } });
    expect(await run(S("Line"), {})).toMatchObject({ name: "line", attributes: { x2: "100", stroke: "#000000" } });
    expect(await run(S("Text"), { text: "a < b", text_anchor: "middle" })).toMatchObject({ name: "text", content: "a < b", attributes: { "text-anchor": "middle", "font-family": "Arial" } });
  });

  it("filters and gradients follow NodeTool's structure", async () => {
    const blur = await run(S("GaussianBlur"), { std_deviation: 2 });
    expect(renderElement(blur as never)).toBe('<filter id="filter_gaussian_blur"><feGaussianBlur stdDeviation="2.0"/></filter>');
    const radial = await run(S("Gradient"), { gradient_type: "radialGradient", x1: 50, y1: 50, x2: 25.5 });
    expect(radial).toMatchObject({ name: "radialGradient", attributes: { id: "gradient_radialGradient", cx: "50.0%", cy: "50.0%", r: "25.5%" } });
    const shadow = (await run(S("DropShadow"), { color: color("#333") })) as { children: { name: string }[] };
    expect(shadow.children.map((c) => c.name)).toEqual(["feGaussianBlur", "feOffset", "feFlood", "feComposite", "feMerge"]);
  });

  it("Transform and ClipPath wrap elements; empty inputs give an empty element", async () => {
    const rect = await run(S("Rect"), {});
    expect(await run(S("Transform"), { content: rect, translate_x: 10, rotate: 45, scale_y: 2 })).toMatchObject({
      attributes: { transform: "translate(10.0,0.0) rotate(45.0) scale(1.0,2.0)" },
    });
    expect(await run(S("Transform"), {})).toMatchObject({ name: "" });
    const circle = await run(S("Circle"), {});
    const clipped = (await run(S("ClipPath"), { clip_content: circle, content: rect })) as { name: string; children: { name: string; attributes: Record<string, string> }[] };
    expect(clipped.name).toBe("g");
    const id = clipped.children[0].attributes.id;
    expect(clipped.children[1].attributes["clip-path"]).toBe(`url(#${id})`);
  });

  it("Document renders elements into an SVG reference and escapes text", async () => {
    const text = await run(S("Text"), { text: 'x & "y" <z>' });
    const rect = await run(S("Rect"), {});
    const { output } = await runPackNode(S("Document"), { content: [rect, text], width: 100, height: 50, viewBox: "0 0 100 50" });
    const ref = output as { type: string; data: InlineBytes };
    expect(ref.type).toBe("svg");
    const svg = new TextDecoder().decode(ref.data);
    expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50">');
    expect(svg).toContain('<rect x="0" y="0" width="100" height="100" fill="#000000" stroke="none" stroke-width="1"/>\n<text');
    expect(svg).toContain(">x &amp; \"y\" &lt;z&gt;</text>");
    await expect(run(S("Document"), { content: "<g/>", width: 0 })).rejects.toThrow(/width must be between 1 and 4096/);
    await expect(run(S("Document"), { content: { name: "bad name", attributes: {} } })).rejects.toThrow(/not a valid SVG element name/);
  });
});
