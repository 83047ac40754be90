export * from "./types";
export * from "./tensors";
