/**
 * The page's views as ARIA tabs (role=tab buttons controlling role=tabpanel elements): click or arrow keys to
 * switch, and the URL's hash (`#nodes`) names the view so a link or a reload opens it.
 */
export class Tabs {
  private readonly tabs: HTMLButtonElement[];

  constructor(
    list: HTMLElement,
    private readonly shown: (name: string) => void,
  ) {
    this.tabs = [...list.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    for (const tab of this.tabs) {
      tab.addEventListener("click", () => this.select(this.nameOf(tab), true));
      tab.addEventListener("keydown", (ev) => {
        const step = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
        if (step === 0) return;
        ev.preventDefault();
        const next = this.tabs[(this.tabs.indexOf(tab) + step + this.tabs.length) % this.tabs.length];
        this.select(this.nameOf(next), true);
        next.focus();
      });
    }
    window.addEventListener("hashchange", () => this.fromHash());
  }

  /** Opens the view the hash names (the first one otherwise). */
  fromHash(): void {
    const wanted = location.hash.slice(1);
    this.select(this.tabs.some((t) => this.nameOf(t) === wanted) ? wanted : this.nameOf(this.tabs[0]), false);
  }

  select(name: string, remember: boolean): void {
    for (const tab of this.tabs) {
      const on = this.nameOf(tab) === name;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute("aria-controls") ?? "");
      if (panel) panel.hidden = !on;
    }
    if (remember) history.replaceState(null, "", name === this.nameOf(this.tabs[0]) ? location.pathname + location.search : `#${name}`);
    this.shown(name);
  }

  private nameOf(tab: HTMLElement): string {
    return tab.dataset.view ?? "";
  }
}
