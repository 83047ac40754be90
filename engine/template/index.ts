/**
 * A Jinja-compatible text template renderer for FormatText, Template and Prompt: `{{ expr }}` with filters
 * and tests, `{% if %}`, `{% for %}`, `{% set %}`, `{% filter %}`, `{% raw %}`, comments and whitespace
 * control. Undefined variables render as an empty string; values render as JavaScript strings.
 */
import { parseTemplate, type Node } from "./parser";
import { Renderer, type RenderOptions } from "./render";

export { TemplateError } from "./runtime";
export type { RenderOptions } from "./render";

const cache = new Map<string, Node[]>();
const CACHE_LIMIT = 256;

/** Parses a template once; repeated renders of the same source (streams, loops) reuse the tree. */
function compiled(source: string): Node[] {
  let nodes = cache.get(source);
  if (!nodes) {
    nodes = parseTemplate(source);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(source, nodes);
  }
  return nodes;
}

/** Renders `source` with `vars`. Throws TemplateError on a syntax or evaluation error. */
export function renderTemplate(source: string, vars: Record<string, unknown>, options: RenderOptions = {}): string {
  return new Renderer(vars, options).render(compiled(source));
}

/** Checks a template's syntax without rendering it. */
export function checkTemplate(source: string): void {
  compiled(source);
}
