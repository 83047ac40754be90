/**
 * HTML to plain text: tags stripped, block elements and line breaks kept as newlines, entities decoded.
 * A plain-text conversion, not html2text's Markdown.
 */

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  copy: "©",
  reg: "®",
  trade: "™",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  laquo: "«",
  raquo: "»",
  euro: "€",
  pound: "£",
  yen: "¥",
  cent: "¢",
  deg: "°",
  middot: "·",
  bull: "•",
  times: "×",
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[body.toLowerCase()] ?? m;
  });
}

export function htmlToText(html: string, ignoreImages: boolean): string {
  let s = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style|head|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n* ")
    .replace(/<\/?(p|div|h[1-6]|ul|ol|table|tr|blockquote|pre|section|article|header|footer|nav|aside|main|form|hr)\b[^>]*>/gi, "\n\n")
    .replace(/<\/t[dh]\s*>/gi, " ");
  if (!ignoreImages) {
    s = s.replace(/<img\b[^>]*>/gi, (tag) => {
      const alt = /\balt\s*=\s*("([^"]*)"|'([^']*)')/i.exec(tag);
      return alt ? (alt[2] ?? alt[3] ?? "") : "";
    });
  }
  s = s.replace(/<[^>]*>/g, "");
  s = decodeEntities(s);
  return s
    .split("\n")
    .map((line) => line.replace(/[ \t\f\v\u00a0]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
