/** `<LIST_ITEM>...</LIST_ITEM>` items in streamed model text, for ListGenerator. */
const OPEN = "<LIST_ITEM>";
const CLOSE = "</LIST_ITEM>";

function cleanItem(raw: string): string {
  return raw.replace(/\*\*/g, "").replace(/\s+/g, " ").trim();
}

/** Finds `<LIST_ITEM>...</LIST_ITEM>` items in streamed text as soon as each one closes. */
export class ListItemParser {
  private buffer = "";
  /** Everything fed so far, for the fallback when the model ignored the tags. */
  private all = "";
  sawTag = false;

  push(text: string): string[] {
    this.buffer += text;
    this.all += text;
    const items: string[] = [];
    for (;;) {
      const start = this.buffer.indexOf(OPEN);
      if (start < 0) {
        // Keep what could be the start of an opening tag split across chunks.
        this.buffer = this.buffer.slice(Math.max(0, this.buffer.length - (OPEN.length - 1)));
        break;
      }
      this.sawTag = true;
      const end = this.buffer.indexOf(CLOSE, start + OPEN.length);
      if (end < 0) {
        this.buffer = this.buffer.slice(start);
        break;
      }
      const item = cleanItem(this.buffer.slice(start + OPEN.length, end));
      if (item) items.push(item);
      this.buffer = this.buffer.slice(end + CLOSE.length);
    }
    return items;
  }

  /** At the end: an unclosed last item, or (when no tags came at all) the lines of a numbered or bulleted list. */
  finish(): string[] {
    if (this.sawTag) {
      const start = this.buffer.indexOf(OPEN);
      const rest = start >= 0 ? cleanItem(this.buffer.slice(start + OPEN.length)) : "";
      return rest ? [rest] : [];
    }
    const items: string[] = [];
    for (const line of this.all.split("\n")) {
      const m = /^\s*(?:\d+[.)]|[-*\u2022])\s+(.*)$/.exec(line);
      if (m && cleanItem(m[1])) items.push(cleanItem(m[1]));
    }
    return items;
  }
}
