// What the distributed platform costs while nobody uses it: CPU per process, user and system, over
// a quiet window after start-up. Pollers (outbox relays, standby relays, the notification
// dispatcher, sweepers) and timers are what it measures; under load the same work continues.
//
//   npm run build && node bench/idle-cost.mjs [seconds]
import { readFileSync } from 'node:fs';
import { startDistributed } from './pipeline/platform.mjs';

const msPerTick = 10;
const seconds = Number(process.argv[2] ?? 30);

function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]) * msPerTick, system: Number(fields[12]) * msPerTick };
}

const platform = await startDistributed();
try {
  // Start-up's last work (first relay batches, connection pools filling) settles first.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const before = new Map(platform.processes.map((fiscal) => [fiscal.name, cpuOf(fiscal.child.pid)]));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  console.log(
    `idle CPU over ${seconds} s, ms per second\n\n| process | user | system | total |\n|---|---:|---:|---:|`,
  );
  let total = 0;
  for (const fiscal of platform.processes) {
    const after = cpuOf(fiscal.child.pid);
    const start = before.get(fiscal.name);
    const user = (after.user - start.user) / seconds;
    const system = (after.system - start.system) / seconds;
    total += user + system;
    console.log(
      `| ${fiscal.name} | ${user.toFixed(1)} | ${system.toFixed(1)} | ${(user + system).toFixed(1)} |`,
    );
  }
  console.log(`| **all** | | | **${total.toFixed(1)}** |`);
} finally {
  await platform.stop();
  await platform.dispose();
}
