export * from "./errors";
export * from "./workflow";
export * from "./messages";
export * from "./requests";
export * from "./models";
