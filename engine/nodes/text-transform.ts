/** `nodetool.text.*`: Case, slicing, whitespace, cleanup and padding transforms. */
import { defineNode, prop } from "../registry/define-node";
import type { NodeDecl } from "../registry/types";
import { text, cps, cpLength, pySlice, stripCharSet, titleCase, capitalize } from "../text/strings";
import { htmlToText } from "../text/html-to-text";
import { PAD_DIRECTION, PUNCTUATION, textProp, strOut, simple } from "./text-common";
import { enumValue, toBool, toInt } from "../values/coerce";

export const textTransformNodes: NodeDecl[] = [
  simple("ToUppercase", "Converts text to uppercase.\n    text, transform, uppercase, format", (s) => s.toUpperCase()),

  simple("ToLowercase", "Converts text to lowercase.\n    text, transform, lowercase, format", (s) => s.toLowerCase()),

  simple("ToTitlecase", "Converts text to title case.\n    text, transform, titlecase, format", titleCase),

  simple("CapitalizeText", "Capitalizes only the first character.\n    text, transform, capitalize, format", capitalize),

  // `stop` 0 means "to the end" (so start=-5 gives the last five characters, step=-1 reverses).
  defineNode({
    type: "nodetool.text.Slice",
    title: "Slice Text",
    description: "Slices text using Python's slice notation (start:stop:step).\n    text, slice, substring",
    properties: [
      textProp(),
      prop("start", "int", 0, { description: "Start index" }),
      prop("stop", "int", 0, { description: "Stop index (exclusive); 0 means the end of the text" }),
      prop("step", "int", 1),
    ],
    outputs: strOut,
    process: (inputs) => {
      const step = toInt(inputs.step, "step");
      const start = toInt(inputs.start, "start");
      const stop = toInt(inputs.stop, "stop");
      return { output: pySlice(cps(text(inputs.text)), step < 0 && start === 0 ? null : start, stop === 0 ? null : stop, step) };
    },
  }),

  defineNode({
    type: "nodetool.text.TrimWhitespace",
    description: "Trims whitespace from the start and/or end of text.\n    text, whitespace, clean, remove",
    properties: [textProp(), prop("trim_start", "bool", true), prop("trim_end", "bool", true)],
    outputs: strOut,
    process: (inputs) => {
      let s = text(inputs.text);
      if (toBool(inputs.trim_start)) s = s.trimStart();
      if (toBool(inputs.trim_end)) s = s.trimEnd();
      return { output: s };
    },
  }),

  defineNode({
    type: "nodetool.text.CollapseWhitespace",
    description: "Collapses consecutive whitespace into single separators.\n    text, whitespace, normalize, clean, remove",
    properties: [
      textProp(),
      prop("preserve_newlines", "bool", false, { description: "Keep newline characters instead of replacing them" }),
      prop("replacement", "str", " ", { description: "String used to replace whitespace runs" }),
      prop("trim_edges", "bool", true, { description: "Strip whitespace before collapsing" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const s = toBool(inputs.trim_edges) ? text(inputs.text).trim() : text(inputs.text);
      const re = toBool(inputs.preserve_newlines) ? /[^\S\r\n]+/g : /\s+/g;
      const replacement = text(inputs.replacement);
      return { output: s.replace(re, () => replacement) };
    },
  }),

  defineNode({
    type: "nodetool.text.RemovePunctuation",
    description: "Removes punctuation characters from text.\n    text, cleanup, punctuation, normalize",
    properties: [
      textProp(),
      prop("replacement", "str", "", { description: "String to insert where punctuation was removed" }),
      prop("punctuation", "str", PUNCTUATION, { description: "Characters that should be removed or replaced" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const set = new Set(cps(text(inputs.punctuation)));
      const replacement = text(inputs.replacement);
      return { output: cps(text(inputs.text)).map((c) => (set.has(c) ? replacement : c)).join("") };
    },
  }),

  defineNode({
    type: "nodetool.text.StripAccents",
    description: "Removes accent marks while keeping base characters.\n    text, cleanup, accents, normalize",
    properties: [textProp(), prop("preserve_non_ascii", "bool", true, { description: "Keep non-ASCII characters that are not accents" })],
    outputs: strOut,
    process: (inputs) => {
      const stripped = text(inputs.text).normalize("NFKD").replace(/\p{Mn}/gu, "");
      return { output: toBool(inputs.preserve_non_ascii) ? stripped : stripped.replace(/[^\x00-\x7f]/g, "") };
    },
  }),

  defineNode({
    type: "nodetool.text.Slugify",
    description: "Converts text into a slug suitable for URLs or IDs.\n    text, slug, normalize, id",
    properties: [
      textProp(),
      prop("separator", "str", "-"),
      prop("lowercase", "bool", true),
      prop("allow_unicode", "bool", false, { description: "Keep unicode letters instead of converting to ASCII" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const separator = text(inputs.separator);
      let s = text(inputs.text).normalize("NFKD");
      if (!toBool(inputs.allow_unicode)) s = s.replace(/[^\x00-\x7f]/g, "");
      s = s.replace(/[^\p{L}\p{N}_\s-]/gu, "");
      s = s.replace(/[\s_-]+/gu, () => separator);
      if (separator !== "") s = stripCharSet(s, separator);
      return { output: toBool(inputs.lowercase) ? s.toLowerCase() : s };
    },
  }),

  defineNode({
    type: "nodetool.text.TruncateText",
    description: "Truncates text to a maximum length.\n    text, truncate, length, clip",
    properties: [
      textProp(),
      prop("max_length", "int", 100, { min: 0 }),
      prop("ellipsis", "str", "", { description: "Optional suffix appended when truncation occurs" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const cs = cps(text(inputs.text));
      const max = toInt(inputs.max_length, "max_length");
      const ellipsis = text(inputs.ellipsis);
      if (max <= 0) return { output: ellipsis };
      if (cs.length <= max) return { output: cs.join("") };
      const el = cpLength(ellipsis);
      if (ellipsis !== "" && el < max) return { output: cs.slice(0, max - el).join("") + ellipsis };
      return { output: cs.slice(0, max).join("") };
    },
  }),

  defineNode({
    type: "nodetool.text.PadText",
    description: "Pads text to a target length.\n    text, pad, length, format",
    properties: [
      textProp(),
      prop("length", "int", 0, { min: 0, description: "Target length" }),
      prop("pad_character", "str", " ", { description: "Single character to use for padding" }),
      prop("direction", "enum", "right", { values: Object.values(PAD_DIRECTION), description: "Where padding should be applied" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const s = text(inputs.text);
      const pad = text(inputs.pad_character);
      if (cpLength(pad) !== 1) throw new Error(`PadText: pad_character must be a single character, got '${pad}'`);
      const needed = toInt(inputs.length, "length") - cpLength(s);
      if (needed <= 0) return { output: s };
      const direction = enumValue(inputs.direction, PAD_DIRECTION);
      if (direction === "left") return { output: pad.repeat(needed) + s };
      if (direction === "both") {
        const left = Math.floor(needed / 2);
        return { output: pad.repeat(left) + s + pad.repeat(needed - left) };
      }
      return { output: s + pad.repeat(needed) };
    },
  }),

  defineNode({
    type: "nodetool.text.SurroundWith",
    description: "Wraps text with the provided prefix and suffix.\n    text, format, surround, decorate",
    properties: [
      textProp(),
      prop("prefix", "str", ""),
      prop("suffix", "str", ""),
      prop("skip_if_wrapped", "bool", true, { description: "Do not add duplicates if the text is already wrapped" }),
    ],
    outputs: strOut,
    process: (inputs) => {
      const s = text(inputs.text);
      const prefix = text(inputs.prefix);
      const suffix = text(inputs.suffix);
      if (toBool(inputs.skip_if_wrapped) && s.startsWith(prefix) && s.endsWith(suffix)) return { output: s };
      return { output: prefix + s + suffix };
    },
  }),

  // A plain-text conversion (tags stripped, blocks and line breaks kept, entities decoded), not html2text's Markdown.
  defineNode({
    type: "nodetool.text.HtmlToText",
    title: "HTML to Text",
    description: "Converts HTML content to plain text.\n    html, convert, text, parse, extract",
    properties: [
      prop("html", "str", "", { description: "HTML content to convert" }),
      prop("base_url", "str", "", { description: "Base URL for resolving relative links" }),
      prop("body_width", "int", 1000, { description: "Width for text wrapping" }),
      prop("ignore_images", "bool", true, { description: "Whether to ignore image tags (otherwise their alt text is kept)" }),
      prop("ignore_mailto_links", "bool", true, { description: "Whether to ignore mailto links" }),
    ],
    outputs: strOut,
    process: (inputs) => ({ output: htmlToText(text(inputs.html), toBool(inputs.ignore_images)) }),
  }),
];
