/**
 * `lib.markdown.*`: reading links, headers, lists, code blocks and tables out of Markdown. Output shapes follow
 * NodeTool (nodetool-base src/nodetool/nodes/lib/markdown.py); the Markdown is parsed with marked's lexer
 * (engine/markdown) instead of NodeTool's line regexes, so code blocks, nesting and setext headers read right.
 */
import { codeBlocks, firstTable, headings, lex, links, lists } from "../markdown/extract";
import { defineNode, out, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { toBool, toInt, toText } from "../values/coerce";

const markdownProp = prop("markdown", "str", "", { description: "The markdown text to analyze" });
const tokensOf = (inputs: Record<string, unknown>) => lex(toText(inputs.markdown));

export const markdownNodes: NodeDecl[] = [
  defineNode({
    type: "lib.markdown.ExtractLinks",
    description: "Extracts all links from markdown text as {url, title}.\n    markdown, links, extraction",
    properties: [markdownProp, prop("include_titles", "bool", true, { description: "Whether to include link titles in output" })],
    outputs: [out("output", "list[dict[str, str]]")],
    process: (inputs) => {
      const titles = toBool(inputs.include_titles ?? true);
      return { output: links(tokensOf(inputs)).map((l) => ({ url: l.url, title: titles ? l.title : "" })) };
    },
  }),
  defineNode({
    type: "lib.markdown.ExtractHeaders",
    description: "Extracts headers and creates a document structure/outline of {level, text, index}.\n    markdown, headers, structure",
    properties: [markdownProp, prop("max_level", "int", 6, { min: 1, max: 6, description: "Maximum header level to extract (1-6)" })],
    outputs: [out("output", "list[dict[str, any]]")],
    process: (inputs) => {
      const max = toInt(inputs.max_level ?? 6, "max_level");
      if (max < 1 || max > 6) throw new Error(`ExtractHeaders: max_level must be between 1 and 6, got ${max}`);
      const found = headings(tokensOf(inputs)).filter((h) => h.level <= max);
      return { output: found.map((h, index) => ({ ...h, index })) };
    },
  }),
  defineNode({
    type: "lib.markdown.ExtractBulletLists",
    description: "Extracts bulleted lists from markdown: one list of {text} items per list.\n    markdown, lists, bullets, extraction",
    properties: [markdownProp],
    outputs: [out("output", "list[dict[str, any]]")],
    process: (inputs) => ({ output: lists(tokensOf(inputs), false).map((items) => items.map((text) => ({ text }))) }),
  }),
  defineNode({
    type: "lib.markdown.ExtractNumberedLists",
    description: "Extracts numbered lists from markdown: one list of item texts per list.\n    markdown, lists, numbered, extraction",
    properties: [markdownProp],
    outputs: [out("output", "list[str]")],
    process: (inputs) => ({ output: lists(tokensOf(inputs), true) }),
  }),
  defineNode({
    type: "lib.markdown.ExtractCodeBlocks",
    description: "Extracts fenced code blocks and their languages ('text' when none) from markdown.\n    markdown, code, extraction",
    properties: [markdownProp],
    outputs: [out("output", "list[dict[str, str]]")],
    process: (inputs) => ({ output: codeBlocks(tokensOf(inputs)) }),
  }),
  // The first table, as a data frame of string columns (NodeTool's DataframeRef: columns + row lists).
  defineNode({
    type: "lib.markdown.ExtractTables",
    description: "Extracts the first table from markdown as a data frame.\n    markdown, tables, data",
    properties: [markdownProp],
    outputs: [out("output", "dataframe")],
    process: (inputs) => {
      const table = firstTable(tokensOf(inputs));
      const columns = (table?.header ?? []).map((name) => ({ name, data_type: "string", description: "" }));
      return { output: { type: "dataframe", uri: "", asset_id: null, data: table?.rows ?? [], columns } };
    },
  }),
];
