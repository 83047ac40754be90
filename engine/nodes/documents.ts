import type { NodeDecl } from "../registry/types";
import { documentNodes } from "./document";
import { docxNodes } from "./docx";
import { excelNodes } from "./excel";
import { pdfNodes } from "./pdf";

/** The document packs: PDF reading (lib.pymupdf, lib.pdfplumber), Word, Excel, document files and splitters, markitdown. */
export const documentPackNodes: readonly NodeDecl[] = [...pdfNodes, ...docxNodes, ...excelNodes, ...documentNodes];
