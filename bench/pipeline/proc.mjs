// CPU time and peak memory of processes on this machine, read from /proc (Linux).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
const msPerTick = 1000 / ticksPerSecond;

/** /proc/<pid>/stat from field 3 (state) on: the command name before it may hold spaces and parentheses. */
function statOf(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // proc(5) numbers fields from 1: ppid is 4, utime 14, stime 15, cutime 16, cstime 17.
  const field = (number) => Number(fields[number - 3]);
  return {
    ppid: field(4),
    ownMs: (field(14) + field(15)) * msPerTick,
    reapedChildrenMs: (field(16) + field(17)) * msPerTick,
  };
}

/** User + system CPU milliseconds the process has used so far (all its threads). */
export function cpuMs(pid) {
  return statOf(pid).ownMs;
}

/** CPU milliseconds of the children this process has waited for (exited and reaped). */
export function reapedChildrenCpuMs(pid) {
  return statOf(pid).reapedChildrenMs;
}

/** Peak resident set size (VmHWM) in bytes, or undefined once the process is gone. */
export function peakRssBytes(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function processIds() {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function commandOf(pid) {
  try {
    return {
      name: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(),
      line: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '),
    };
  } catch {
    return undefined;
  }
}

/** Processes whose command name is `name` (and whose command line matches `line`, when given). */
export function findProcesses(name, line = /./) {
  return processIds().filter((pid) => {
    const command = commandOf(pid);
    return command?.name === name && line.test(command.line);
  });
}

/**
 * CPU milliseconds of a process tree one level deep, exited members included: the parent's own time,
 * what it has reaped of its children (cutime, cstime), and each live child's time. PostgreSQL's
 * postmaster forks one backend per connection and reaps every one that exits, so this is the whole
 * cluster's CPU, whichever connections came and went between two readings.
 */
export function treeCpuMs(parentPid) {
  const parent = statOf(parentPid);
  let total = parent.ownMs + parent.reapedChildrenMs;
  for (const pid of processIds()) {
    if (pid === parentPid) continue;
    try {
      const child = statOf(pid);
      if (child.ppid === parentPid) total += child.ownMs + child.reapedChildrenMs;
    } catch {
      // Exited between the listing and the read: the parent has reaped it, or will.
    }
  }
  return total;
}

/** The parent process id (a PostgreSQL backend's parent is the postmaster). */
export function parentOf(pid) {
  return statOf(pid).ppid;
}

/**
 * CPU milliseconds the whole machine has been busy (user, nice, system, irq, softirq; guests are in
 * user), and stolen by the hypervisor, from /proc/stat: compared with the processes measured, what is
 * left is other work on the machine.
 */
export function machineCpuMs() {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { busy: (user + nice + system + irq + softirq) * msPerTick, steal: steal * msPerTick };
}
