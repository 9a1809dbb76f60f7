// The browser tests' harness: one tocsin server (the harness conventions of tests/integration:
// a free loopback port, --dev-clock, a temp data dir, stopped by its PID) and Debian's chromium
// driven by puppeteer-core. Screenshots go to build/browser/ (test artifacts, not committed).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '..', '..');
export const shots = path.join(repo, 'build', 'browser');
export const PASSWORD = 'correct horse battery';

function bin() {
  if (process.env.TOCSIN_BIN) return process.env.TOCSIN_BIN;
  for (const b of ['build/asan/tocsin', 'build/tocsin']) {
    const p = path.join(repo, b);
    if (fs.existsSync(p)) return p;
  }
  throw new Error('no tocsin binary: run make first (or set TOCSIN_BIN)');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Server {
  async start() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tocsin-browser-'));
    const config = path.join(this.dir, 'config.yaml');
    const fixture = fs.readFileSync(path.join(repo, 'tests', 'integration', 'fixtures', 'test.yaml'), 'utf8');
    fs.writeFileSync(config, `${fixture}schedules:
  - {id: primary, timezone: UTC, rotation: {every: 1w, handoff: "mon 09:00", users: [alice, bob]}}
`);
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    this.log = fs.openSync(path.join(this.dir, 'server.log'), 'w');
    this.proc = spawn(bin(), ['serve', '--config', config, '--data', path.join(this.dir, 'data'),
      '--listen', `127.0.0.1:${this.port}`, '--dev-clock'],
    { stdio: ['ignore', this.log, this.log], env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0' } });
    for (let i = 0; i < 400; i++) { // bounded readiness polling (ASan start-up is slow)
      try {
        const r = await fetch(`${this.url}/healthz`);
        if (r.ok) break;
      } catch { /* not listening yet */ }
      if (this.proc.exitCode !== null) throw new Error(`tocsin exited: ${this.logText()}`);
      await sleep(50);
    }
    this.token = fs.readFileSync(path.join(this.dir, 'data', 'admin.token'), 'utf8').trim();
  }

  logText() {
    try { return fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8').slice(-4000); } catch { return ''; }
  }

  async api(method, p, body) {
    const r = await fetch(this.url + p, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      process.kill(this.proc.pid, 'SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(20000).then(() => false)]);
      if (!done) process.kill(this.proc.pid, 'SIGKILL');
    }
    if (this.log !== undefined) fs.closeSync(this.log);
    if (this.dir && !process.env.KEEP_TMP) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function launch() {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--disable-extensions', '--disable-background-networking'],
  });
}

export async function shot(page, name) {
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}
