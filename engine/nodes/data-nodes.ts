import type { NodeDecl } from "../registry/types";
import { dataNodes } from "./data";
import { dataIoNodes } from "./data-io";
import { numpyNodes } from "./numpy";
import { numpyShapeNodes } from "./numpy-shape";

/** The dataframe (`nodetool.data.*`) and array (`lib.numpy.*`) node packs. */
export const dataframeNodes: NodeDecl[] = [...dataNodes, ...dataIoNodes, ...numpyNodes, ...numpyShapeNodes];
