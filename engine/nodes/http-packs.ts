import type { NodeDecl } from "../registry/types";
import { htmlNodes } from "./html";
import { httpNodes } from "./http";
import { httpDownloadNodes } from "./http-download";
import { rssNodes } from "./rss";
import { searchGoogleNodes } from "./search-google";
import { searchGoogleExtraNodes } from "./search-google-extra";
import { searchMoreNodes } from "./search-more";
import { searchShoppingNodes } from "./search-shopping";
import { searchWebNodes } from "./search-web";

/** The web packs: `lib.http`, `lib.beautifulsoup`, `lib.rss` and every `search.*` namespace. */
export const webNodes: readonly NodeDecl[] = [
  ...httpNodes,
  ...httpDownloadNodes,
  ...htmlNodes,
  ...rssNodes,
  ...searchGoogleNodes,
  ...searchGoogleExtraNodes,
  ...searchShoppingNodes,
  ...searchWebNodes,
  ...searchMoreNodes,
];
