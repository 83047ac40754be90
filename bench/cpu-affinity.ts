// Pins processes to CPUs with util-linux's `taskset`, so that a benchmark can give the server under test
// cores of its own, as it has in production, instead of sharing two cores with the load generator and the
// upstream it calls. Linux only; elsewhere `canPin()` is false and the pinned variant is left out.
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";

export function canPin(): boolean {
  if (process.platform !== "linux" || availableParallelism() < 2) return false;
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Restricts every thread of `pid` to `cpus` (a taskset list such as "0" or "1-3"). Children started later inherit it. */
export function pin(pid: number, cpus: string): void {
  execFileSync("taskset", ["-a", "-cp", cpus, String(pid)], { stdio: "ignore" });
}

/** Every CPU, as a taskset list. */
export const ALL_CPUS = `0-${availableParallelism() - 1}`;

/**
 * The split used when pinning: the last CPU (or the upper half, on larger machines) for the server under
 * test, the rest for the load generator and the upstream.
 */
export function splitCpus(): { load: string; server: string } {
  const n = availableParallelism();
  const serverCount = Math.max(1, Math.floor(n / 2));
  const firstServer = n - serverCount;
  return {
    load: firstServer === 1 ? "0" : `0-${firstServer - 1}`,
    server: serverCount === 1 ? String(firstServer) : `${firstServer}-${n - 1}`,
  };
}
