// Starts a real HTTP runtime (a command that serves the API on HOST:PORT from its environment, as `speaker-id
// serve`, `npm run edge:deno` and `npm run edge:cloudflare` do) on 127.0.0.1 and a free port, waits for GET /health,
// and stops it again (SIGTERM, then SIGKILL), so that a test can restart it on the same state.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** -> { origin, port, output(), stop() }. `env` is added to this process's environment (HOST and PORT are set). */
export async function startHttpRuntime({ command, args = [], env = {}, cwd, readyTimeoutMs = 180000, port }) {
  port ??= await freePort();
  const child = spawn(command, args, { cwd, env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  let gone = null;
  exited.then((r) => { gone = r; });
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (gone) throw new Error(`${command} ${args.join(' ')} exited (${JSON.stringify(gone)}) before serving:\n${output}`);
    if (Date.now() > deadline) {
      process.kill(-child.pid, 'SIGKILL');
      throw new Error(`${command} did not answer GET /health within ${readyTimeoutMs} ms:\n${output}`);
    }
    try {
      const r = await fetch(`${origin}/health`);
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    await new Promise((ok) => setTimeout(ok, 250));
  }
  const kill = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  return {
    origin,
    port,
    output: () => output,
    // SIGTERM to the whole group (launchers and the runtimes they start, as a terminal's Ctrl-C or a supervisor
    // does), or with { group: false } to the first process only (a launcher, which must pass it on).
    async stop({ group = true } = {}) {
      if (gone) return gone;
      if (group) process.kill(-child.pid, 'SIGTERM');
      else child.kill('SIGTERM');
      const timer = setTimeout(kill, 20000);
      const r = await exited;
      clearTimeout(timer);
      return r;
    },
    // Whether any process of the group still runs.
    groupAlive() {
      try { process.kill(-child.pid, 0); return true; } catch { return false; }
    },
    kill,
  };
}
