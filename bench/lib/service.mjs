// A benchmark's service in a child process: started (optionally pinned to one CPU) until it
// announces {"url"} on stderr, paused while another is measured, stopped gracefully.
import { spawn } from 'node:child_process';
import { onCpu } from './pin.mjs';
import { signalTree } from './proc-cpu.mjs';

/** Starts `node <script>` in `cwd` with `env` added; resolves once it prints {"url": …} on stderr. */
export function startService({ cwd, script, env = {}, cpu = null }) {
  const [file, ...args] = onCpu([process.execPath, script], cpu);
  const child = spawn(file, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
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
          stop: () => stopChild(child),
          // Frozen while another scenario is measured: an idle server still runs timers and
          // idle-time garbage collection, which on a small machine lands in the other's numbers.
          // With PDP_WORKERS the workers are frozen too.
          pause: () => child.exitCode === null && signalTree(child.pid, 'SIGSTOP'),
          resume: () => child.exitCode === null && signalTree(child.pid, 'SIGCONT'),
        });
      }
    });
    child.once('exit', (code) => {
      if (!found) reject(new Error(`${script} (in ${cwd}) exited with ${code} before listening:\n${tail}`));
    });
  });
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    signalTree(child.pid, 'SIGCONT');
    child.kill('SIGTERM');
  });
}
