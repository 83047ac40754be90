import posix from "path-browserify";
import { defineNode, out, prop } from "../registry/define-node";
import type { Inputs, NodeDecl, Outputs } from "../registry/types";
import { toBool, toText } from "../values/coerce";
import { fnmatchRegExp } from "../workspace/fnmatch";
import { absolutePath, expandUser } from "../workspace/node-support";
import { osFileNodes } from "./os-files";

/**
 * `lib.os.*` path-string nodes: pure POSIX path arithmetic, no file access. NodeTool runs them with Node's
 * path module (NodeTool: packages/base-nodes/src/nodes/lib-os.ts), so we use its POSIX build too; dict outputs
 * keep the keys of NodeTool's Python nodes (nodetool-base src/nodetool/nodes/lib/os.py), which are the ones
 * its metadata declares. The working and home directories are the workspace mount (engine/workspace/node-support.ts).
 */

function pure(name: string, description: string, properties: ReturnType<typeof prop>[], output: string, body: (inputs: Inputs) => unknown): NodeDecl {
  return defineNode({
    type: `lib.os.${name}`,
    description,
    properties,
    outputs: [out("output", output)],
    process: (inputs): Outputs => {
      try {
        return { output: body(inputs) };
      } catch (err) {
        throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  });
}

const pathProp = (description: string) => prop("path", "str", "", { description });

/** NodeTool's `readPath`: the path with `~` expanded, and an error when it is empty. */
function requiredPath(inputs: Inputs, message = "'path' field cannot be empty"): string {
  const p = expandUser(toText(inputs.path));
  if (!p) throw new Error(message);
  return p;
}

/** Python's `os.path.splitext`, which NodeTool's dict outputs follow: a leading dot is not an extension. */
function splitExtension(p: string): { root: string; extension: string } {
  const extension = posix.extname(p);
  return { root: p.slice(0, p.length - extension.length), extension };
}

function wildcard(inputs: Inputs): RegExp {
  return fnmatchRegExp(toText(inputs.pattern ?? "*"), inputs.case_sensitive === undefined ? true : toBool(inputs.case_sensitive));
}

const caseProp = prop("case_sensitive", "bool", true, { description: "Whether the pattern matching should be case-sensitive" });

export const osNodes: NodeDecl[] = [
  pure("AbsolutePath", "Return the absolute path of a file or directory (relative paths resolve against the workspace).", [pathProp("Path to convert to absolute")], "str", (inputs) =>
    absolutePath(requiredPath(inputs, "path cannot be empty")),
  ),
  pure(
    "Basename",
    "Get the base name component of a file path.",
    [pathProp("File path to get basename from"), prop("remove_extension", "bool", false, { description: "Remove file extension from basename" })],
    "str",
    (inputs) => {
      const p = expandUser(toText(inputs.path));
      if (p.trim() === "") throw new Error("path is empty");
      const base = posix.basename(p);
      return toBool(inputs.remove_extension) ? posix.parse(base).name : base;
    },
  ),
  pure("Dirname", "Get the directory name component of a file path.", [pathProp("File path to get dirname from")], "str", (inputs) => posix.dirname(expandUser(toText(inputs.path)))),
  pure("FileExtension", "Get file extension.", [pathProp("Path to file")], "str", (inputs) => posix.extname(requiredPath(inputs))),
  pure("FileName", "Get file name without path.", [pathProp("Path to file")], "str", (inputs) => posix.basename(requiredPath(inputs))),
  pure("GetDirectory", "Get directory containing the file.", [pathProp("Path to file")], "str", (inputs) => posix.dirname(requiredPath(inputs))),
  pure(
    "FileNameMatch",
    "Match a filename against a pattern using Unix shell-style wildcards.",
    [
      prop("filename", "str", "", { description: "Filename to check" }),
      prop("pattern", "str", "*", { description: "Pattern to match against (e.g. *.txt, data_*.csv)" }),
      caseProp,
    ],
    "bool",
    (inputs) => wildcard(inputs).test(toText(inputs.filename)),
  ),
  pure(
    "FilterFileNames",
    "Filter a list of filenames using Unix shell-style wildcards.",
    [
      prop("filenames", "list[str]", [], { description: "list of filenames to filter" }),
      prop("pattern", "str", "*", { description: "Pattern to filter by (e.g. *.txt, data_*.csv)" }),
      caseProp,
    ],
    "list[str]",
    (inputs) => {
      const rx = wildcard(inputs);
      const names = Array.isArray(inputs.filenames) ? inputs.filenames.map((n) => toText(n)) : [];
      return names.filter((n) => rx.test(n));
    },
  ),
  pure("JoinPaths", "Joins path components.", [prop("paths", "list[str]", [], { description: "Path components to join" })], "str", (inputs) => {
    const parts = Array.isArray(inputs.paths) ? inputs.paths.map((p) => toText(p)) : [];
    if (parts.length === 0) throw new Error("paths cannot be empty");
    return posix.join(...parts);
  }),
  pure("NormalizePath", "Normalizes a path.", [pathProp("Path to normalize")], "str", (inputs) => {
    const p = toText(inputs.path);
    if (!p) throw new Error("path cannot be empty");
    return posix.normalize(p);
  }),
  pure("PathToString", "Convert a FilePath object to a string.", [prop("file_path", "str", "", { description: "File path to convert to string" })], "str", (inputs) => {
    const p = toText(inputs.file_path);
    if (!p) throw new Error("file_path cannot be empty");
    return p;
  }),
  pure(
    "RelativePath",
    "Return a relative path to a target from a start directory.",
    [prop("target_path", "str", "", { description: "Target path to convert to relative" }), prop("start_path", "str", ".", { description: "Start path for relative conversion" })],
    "str",
    (inputs) => {
      const target = expandUser(toText(inputs.target_path));
      const start = expandUser(toText(inputs.start_path ?? "."));
      if (!target) throw new Error("target_path cannot be empty");
      return posix.relative(absolutePath(start), absolutePath(target));
    },
  ),
  pure("SplitExtension", "Split a path into root and extension components.", [pathProp("Path to split")], "dict", (inputs) => splitExtension(expandUser(toText(inputs.path)))),
  pure("SplitPath", "Split a path into directory and file components.", [pathProp("Path to split")], "dict", (inputs) => {
    const p = expandUser(toText(inputs.path));
    return { dirname: posix.dirname(p), basename: posix.basename(p) };
  }),
  ...osFileNodes,
];
