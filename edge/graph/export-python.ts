import type { ExportedScript, ExportOptions } from "./export-script";
import { exportWorkflowId, fileStem } from "./export-script";

/** A comment or docstring line can hold any text except a line break. */
const oneLine = (s: string) => s.replace(/[\r\n\u2028\u2029\u0085]+/g, " ");
/** Docstring text must not close the docstring or start an escape. */
const docText = (s: string) => oneLine(s).replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"');

/**
 * A JSON value as a Python literal: dicts, lists, str, int/float, True/False/None. A JSON string literal is a
 * valid Python string literal (its escapes are Python's too), so strings go through JSON.stringify.
 */
export function pythonLiteral(value: unknown, indent = 0): string {
  const pad = "    ".repeat(indent + 1);
  const end = "    ".repeat(indent);
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : "None";
  if (typeof value === "string") return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${pad}${pythonLiteral(v, indent + 1)}`).join(",\n")},\n${end}]`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${pad}${pythonLiteral(k)}: ${pythonLiteral(v, indent + 1)}`).join(",\n")},\n${end}}`;
  }
  return "None";
}

/**
 * A self-contained Python 3 script (only `requests`) that does what the TypeScript export does: saves the graph
 * as a workflow under a stable id (PUT /api/workflows/{id}), runs it (POST /workflows/{id}/run) and prints the
 * result map as JSON.
 */
export async function exportPythonScript(opts: ExportOptions): Promise<ExportedScript> {
  const workflowId = await exportWorkflowId(opts.graph);
  const filename = `${fileStem(opts.name)}.py`;
  const workflow = { name: opts.name, description: opts.description || "Saved by a script exported with POST /api/graph/export.", graph: opts.graph };
  const source = `#!/usr/bin/env python3
"""Runs the workflow "${docText(opts.name)}" on a nodetool-edge server and prints its outputs as JSON.

Exported by POST /api/graph/export?language=python. Needs Python 3.8 or newer and requests
(pip install requests, or Debian's python3-requests).

    python3 ${filename} [--url URL] [--token TOKEN] [--params '{"input name": value}']

--url    or NODETOOL_EDGE_URL:   the server (default ${docText(opts.defaultUrl)})
--token  or NODETOOL_EDGE_TOKEN: the bearer token, when the server wants one
--params: JSON object of input values by input name, over the defaults below

The graph is saved as your workflow "${workflowId}" (PUT /api/workflows/${workflowId}; the id is derived
from the graph, so running this again replaces that workflow instead of adding copies), then run with
POST /workflows/${workflowId}/run. Exit code 0 when the job completed, 1 otherwise (the error on stderr).
"""

import argparse
import json
import os
import sys

import requests

WORKFLOW_ID = ${pythonLiteral(workflowId)}
DEFAULT_URL = ${pythonLiteral(opts.defaultUrl)}
DEFAULT_PARAMS = ${pythonLiteral(opts.params)}
WORKFLOW = ${pythonLiteral(workflow)}


class ApiError(Exception):
    pass


def call(base, token, method, path, body):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    res = requests.request(method, base + path, headers=headers, data=json.dumps(body), timeout=(30, 3600))
    try:
        parsed = res.json()
    except ValueError:
        parsed = None
    if not res.ok:
        error = parsed.get("error") if isinstance(parsed, dict) else None
        message = error.get("message") if isinstance(error, dict) else res.text[:500]
        details = "\\n" + json.dumps(error["details"], indent=2) if isinstance(error, dict) and error.get("details") else ""
        raise ApiError("%s %s failed with %d: %s%s" % (method, path, res.status_code, message, details))
    return parsed


def main():
    parser = argparse.ArgumentParser(description="Run the workflow and print its outputs as JSON.")
    parser.add_argument("--url", help="the server (or NODETOOL_EDGE_URL)")
    parser.add_argument("--token", help="the bearer token (or NODETOOL_EDGE_TOKEN)")
    parser.add_argument("--params", help="JSON object of input values by input name")
    args = parser.parse_args()
    base = (args.url or os.environ.get("NODETOOL_EDGE_URL") or DEFAULT_URL).rstrip("/")
    token = args.token or os.environ.get("NODETOOL_EDGE_TOKEN") or None
    params = dict(DEFAULT_PARAMS)
    if args.params:
        params.update(json.loads(args.params))
    call(base, token, "PUT", "/api/workflows/" + WORKFLOW_ID, WORKFLOW)
    run = call(base, token, "POST", "/workflows/" + WORKFLOW_ID + "/run", {"params": params})
    if run.get("status") != "completed":
        print("job %s %s: %s" % (run.get("job_id"), run.get("status"), run.get("error") or "no error message"), file=sys.stderr)
        return 1
    print(json.dumps(run.get("results"), indent=2))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ApiError, requests.RequestException, ValueError) as err:
        print(str(err), file=sys.stderr)
        sys.exit(1)
`;
  return { filename, contentType: "text/x-python; charset=utf-8", source, workflowId };
}
