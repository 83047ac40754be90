/** `nodetool.text.*`: Composing and splitting text: conversion, concatenation, templates, replacement, splitting. */
import { defineNode, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { text, cps, pySlice, pyRepr } from "../text/strings";
import { render, dynamicInputs, TO_STRING_MODE, textProp, strOut, listStrOut } from "./text-common";
import { enumValue, isRecord, toInt, toList } from "../values/coerce";

export const textComposeNodes: NodeDecl[] = [
  defineNode({
    type: "nodetool.text.ToString",
    description: "Converts any input value to its string representation.\n    text, string, convert, repr, str, cast",
    properties: [
      prop("value", "any", []),
      prop("mode", "enum", "str", { values: Object.values(TO_STRING_MODE), description: "Conversion mode: use `str(value)` or `repr(value)`." }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const mode = enumValue(inputs.mode, TO_STRING_MODE);
      return { output: mode === "repr" ? pyRepr(inputs.value) : text(inputs.value) };
    },
  }),

  // Current NodeTool concatenates any number of dynamic inputs; `a` and `b` are the older fixed pair.
  defineNode({
    type: "nodetool.text.Concat",
    title: "Concatenate Text",
    description: "Concatenates text inputs into a single output.\n    text, combine, add, +, concatenate, merge, join, append",
    isDynamic: true,
    properties: [prop("a", "str", ""), prop("b", "str", "")],
    outputs: strOut,
    process: (inputs) => {
      const values = [inputs.a, inputs.b, ...Object.values(dynamicInputs(inputs, ["a", "b"]))];
      return { output: values.flatMap((v) => (Array.isArray(v) ? v : [v])).map(text).join("") };
    },
  }),

  defineNode({
    type: "nodetool.text.Join",
    description: "Joins a list of strings into a single string using a specified separator.\n    text, join, combine, +, add, concatenate",
    properties: [prop("strings", "list[any]", []), prop("separator", "str", "")],
    outputs: strOut,
    process: (inputs) => ({ output: toList(inputs.strings).map(text).join(text(inputs.separator)) }),
  }),

  defineNode({
    type: "nodetool.text.Collect",
    description: "Collects a stream of text inputs into a single concatenated string.\n    text, collect, list, stream, aggregate",
    properties: [prop("input_item", "str", ""), prop("separator", "str", "")],
    outputs: strOut,
    run: async (inputs, outputs) => {
      const items: string[] = [];
      let separator = text(inputs.value("separator"));
      for await (const [handle, item] of inputs.any()) {
        if (handle === "input_item") items.push(text(item));
        else if (handle === "separator") separator = text(item);
      }
      outputs.emit("output", items.join(separator));
    },
  }),

  defineNode({
    type: "nodetool.text.FormatText",
    description:
      "Replaces placeholders in a string with dynamic inputs using Jinja2 templating.\n    text, template, formatting\n\n" +
      'Examples: "Hello, {{ name }}!", "Title: {{ title|truncate(20) }}", "Name: {{ name|upper }}"',
    isDynamic: true,
    properties: [
      prop("template", "str", "", {
        description: "Jinja2 template; every dynamic input is a variable. Filters: upper, lower, title, trim, replace, default, join, truncate, ...",
      }),
    ],
    outputs: strOut,
    process: (inputs) => ({ output: render(inputs.template, dynamicInputs(inputs, ["template"])) }),
  }),

  defineNode({
    type: "nodetool.text.Template",
    description:
      "Uses Jinja2 templating to format strings with variables and filters. Variables come from `values` and from dynamic inputs.\n" +
      "    text, template, formatting, format, combine, concatenate, +, add, variable, replace, filter",
    isDynamic: true,
    properties: [
      prop("string", "str", "", { description: "Template with {{ variable }} placeholders" }),
      prop("values", "any", {}, { description: "A dict of template variables; dynamic inputs override its keys" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const values = isRecord(inputs.values) ? inputs.values : {};
      return { output: render(inputs.string, { ...values, ...dynamicInputs(inputs, ["string", "values"]) }) };
    },
  }),

  // The newest NodeTool's replacement for FormatText.
  defineNode({
    type: "nodetool.text.Prompt",
    description: "Compose a prompt string with named variables referenced as {{ variable }} (or {variable}).\n    prompt, text, template, variable, llm, agent",
    isDynamic: true,
    properties: [prop("prompt", "str", "", { description: "Prompt text. Reference variables with {{ name }} or {name}." })],
    outputs: strOut,
    process: (inputs) => ({ output: render(inputs.prompt, dynamicInputs(inputs, ["prompt"])) }),
  }),

  // An empty `old` leaves the text unchanged (current NodeTool); Python would insert `new` between characters.
  defineNode({
    type: "nodetool.text.Replace",
    title: "Replace Text",
    description: "Replaces a substring in a text with another substring.\n    text, replace, substitute",
    properties: [textProp(), prop("old", "str", ""), prop("new", "str", "", { aliases: ["new_value"] })],
    outputs: strOut,
    process: (inputs) => {
      const s = text(inputs.text);
      const old = text(inputs.old);
      return { output: old === "" ? s : s.split(old).join(text(inputs.new)) };
    },
  }),

  defineNode({
    type: "nodetool.text.Split",
    title: "Split Text",
    description: "Separates text into a list of strings based on a specified delimiter.\n    text, split, tokenize",
    properties: [textProp(), prop("delimiter", "str", ",")],
    outputs: listStrOut,
    process: (inputs) => {
      const delimiter = text(inputs.delimiter);
      return { output: delimiter === "" ? cps(text(inputs.text)) : text(inputs.text).split(delimiter) };
    },
  }),

  // `end` 0 means "to the end of the text".
  defineNode({
    type: "nodetool.text.Extract",
    title: "Extract Text",
    description: "Extracts a substring from input text.\n    text, extract, substring",
    properties: [textProp(), prop("start", "int", 0), prop("end", "int", 0, { description: "Exclusive end index; 0 means the end of the text" })],
    outputs: strOut,
    process: (inputs) => {
      const end = toInt(inputs.end, "end");
      return { output: pySlice(cps(text(inputs.text)), toInt(inputs.start, "start"), end === 0 ? null : end, 1) };
    },
  }),

  defineNode({
    type: "nodetool.text.Chunk",
    title: "Split Text into Chunks",
    description: "Splits text into chunks of specified word length.\n    text, chunk, split",
    properties: [
      textProp(),
      prop("length", "int", 100, { min: 1, max: 1000, description: "Words per chunk" }),
      prop("overlap", "int", 0, { description: "Words shared by consecutive chunks" }),
      prop("separator", "str", " ", { description: "What separates words" }),
    ],
    outputs: listStrOut,
    process: (inputs) => {
      const length = toInt(inputs.length, "length");
      const overlap = toInt(inputs.overlap, "overlap");
      if (length < 1) throw new Error(`Chunk length must be at least 1, got ${length}`);
      if (overlap < 0 || overlap >= length) throw new Error(`Chunk overlap must be at least 0 and less than length (${length}), got ${overlap}`);
      const separator = text(inputs.separator);
      const s = text(inputs.text);
      const words = separator === "" ? s.split(/\s+/).filter(Boolean) : s.split(separator);
      const chunks: string[] = [];
      for (let i = 0; i < words.length; i += length - overlap) chunks.push(words.slice(i, i + length).join(" "));
      return { output: chunks };
    },
  }),
];
