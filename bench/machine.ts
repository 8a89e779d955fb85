/** What the benchmark ran on, and how much CPU each process used while it ran. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, type } from 'node:os';
import { round } from './stats.ts';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  java: string;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine shows here. */
  loadAverageAtStart: number[];
}

export function describeMachine(): Machine {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: round(totalmem() / 2 ** 30, 1),
    os: `${type()} ${process.arch}`,
    node: process.version,
    java: java.stderr?.split('\n')[0]?.trim() || 'not found',
    loadAverageAtStart: loadavg().map((n) => round(n, 2)),
  };
}

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat's CPU times. */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds a process has used so far (Linux), or undefined once it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, utime field 14 and stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export interface CpuUse {
  cpuSeconds: number;
  /** CPU seconds per wall-clock second: 1.0 is one core busy all the time. */
  coresBusy: number;
}

/** Busy and total CPU seconds of the whole machine so far, from /proc/stat. */
function machineCpuSeconds(): { busy: number; total: number } {
  try {
    const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
    const ticks = fields.slice(0, 8).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/**
 * Measures CPU used by named groups of processes between start() and stop(), and by the
 * whole machine (`machine`: every process, other people's work included).
 */
export function startCpuSampling(groups: Record<string, number[]>) {
  const total = (pids: number[]) => pids.reduce((sum, pid) => sum + (cpuSecondsOf(pid) ?? 0), 0);
  const before = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, total(pids)]));
  const machineBefore = machineCpuSeconds();
  const started = performance.now();
  return {
    stop(): Record<string, CpuUse> {
      const seconds = (performance.now() - started) / 1000;
      const use = (used: number): CpuUse => ({ cpuSeconds: round(used, 1), coresBusy: round(used / seconds, 2) });
      const machineAfter = machineCpuSeconds();
      return {
        ...Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, use(total(pids) - (before[name] ?? 0))])),
        machine: use(machineAfter.busy - machineBefore.busy),
      };
    },
  };
}
