// A benchmark's service in a child process: started (optionally pinned to one CPU) until it
// announces {"url"} on stderr, paused while another is measured, stopped gracefully.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { onCpu } from './pin.mjs';
import { signalTree } from './proc-cpu.mjs';

/** Starts `[prefix] node [nodeArgs] <script>` in `cwd` with `env` added (`prefix`: a command
 * that runs node in its own process, e.g. valgrind); resolves once it prints
 * {"url": …} on stderr. stop() sends `stopSignal` (SIGINT makes `--cpu-prof` write its profile),
 * SIGKILL after `killAfterMs`, and resolves with how it exited. stdout is dropped (the decision
 * log's console sink writes there: its cost is counted, its text not kept) unless `onStdoutLine`
 * is given, which then sees each of its lines (e.g. V8's GC trace). */
export function startService({
  cwd,
  script,
  env = {},
  cpu = null,
  nodeArgs = [],
  prefix = [],
  stopSignal = 'SIGTERM',
  killAfterMs = 10_000,
  onStdoutLine = null,
}) {
  const [file, ...args] = onCpu([...prefix, process.execPath, ...nodeArgs, script], cpu);
  const child = spawn(file, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', onStdoutLine ? 'pipe' : 'ignore', 'pipe'] });
  if (onStdoutLine) createInterface({ input: child.stdout }).on('line', onStdoutLine);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let tail = '';
  return new Promise((resolve, reject) => {
    let found = false;
    child.stderr.on('data', (c) => {
      tail = (tail + c.toString()).slice(-4000);
      if (found) return;
      const line = tail.split('\n').find((l) => l.startsWith('{"url"'));
      if (line) {
        found = true;
        resolve({
          url: JSON.parse(line).url,
          // taskset execs node: the pid is the server's.
          pid: child.pid,
          tail: () => tail,
          stop: () => stopChild(child, exited, stopSignal, killAfterMs),
          // Frozen while another scenario is measured: an idle server still runs timers and
          // idle-time garbage collection, which on a small machine lands in the other's numbers.
          // With PDP_WORKERS the workers are frozen too.
          pause: () => child.exitCode === null && signalTree(child.pid, 'SIGSTOP'),
          resume: () => child.exitCode === null && signalTree(child.pid, 'SIGCONT'),
        });
      }
    });
    void exited.then(({ code, signal }) => {
      if (!found) reject(new Error(`${script} (in ${cwd}) exited (${code ?? signal}) before listening:\n${tail}`));
    });
  });
}

async function stopChild(child, exited, signal, killAfterMs) {
  if (child.exitCode === null && child.signalCode === null) {
    signalTree(child.pid, 'SIGCONT');
    child.kill(signal);
  }
  const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const e = await exited;
  clearTimeout(kill);
  return e;
}
