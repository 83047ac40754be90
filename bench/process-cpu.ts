// Child processes and their CPU time, read from /proc: the benchmarks measure per-request CPU with it (which,
// unlike latency percentiles on a shared 2-core machine, barely moves with what else the machine does) and the
// storage e2e test finds the workerd whose memory it watches. Linux only (`available()`).
import { existsSync, readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux architecture Node supports

export function available(): boolean {
  return process.platform === "linux" && existsSync(`/proc/${process.pid}/stat`);
}

/** The fields of /proc/PID/stat after the command name (which may itself contain spaces). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** The pids of this process's children named `command` (e.g. "workerd"). */
export function childrenNamed(command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (name === command && Number(statFields(Number(entry))[1]) === process.pid) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

/** User plus system CPU time of `pids` so far, in ms (10 ms resolution). */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}
