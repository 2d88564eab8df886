// The twin as a user starts it: `dotnet run` of the API (Development launch profile, so demo tokens are on),
// on free loopback ports, a fresh SQLite file and the synthetic feed off, so the tests post every reading.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const INGEST_KEY = 'dev-ingest-key';

/** The Đà Nẵng sample as the twin loads it: districts, segments and sensors with their district. */
export function loadSample() {
  const file = path.join(repoRoot, 'grains/IocTwin.Domain/SampleCity/danang.geojson');
  const features = JSON.parse(readFileSync(file, 'utf8')).features.map((f) => f.properties);
  return {
    districts: features.filter((p) => p.type === 'district'),
    segments: features.filter((p) => p.type === 'segment'),
    sensors: features.filter((p) => p.type === 'sensor'),
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The build configuration the tests run against: IOCTWIN_CONFIGURATION, else the newest build of the API. */
function configuration() {
  if (process.env.IOCTWIN_CONFIGURATION) return process.env.IOCTWIN_CONFIGURATION;
  const built = ['Debug', 'Release']
    .map((name) => ({ name, dll: path.join(repoRoot, 'api/IocTwin.Api/bin', name, 'net10.0/IocTwin.Api.dll') }))
    .filter(({ dll }) => existsSync(dll))
    .sort((a, b) => statSync(b.dll).mtimeMs - statSync(a.dll).mtimeMs);
  if (built.length === 0) throw new Error('The API is not built: run `dotnet build` first.');
  return built[0].name;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startTwin() {
  const port = await freePort();
  const data = mkdtempSync(path.join(tmpdir(), 'ioctwin-browser-'));
  const url = `http://127.0.0.1:${port}`;
  const args = [
    'run', '--project', 'api/IocTwin.Api', '--no-build', '-c', configuration(), '--',
    '--urls', url,
    `--Twin:ConnectionString=Data Source=${path.join(data, 'twin.db')}`,
    `--Twin:SiloPort=${await freePort()}`, `--Twin:GatewayPort=${await freePort()}`,
    '--Feed:Enabled=false',
  ];
  const child = spawn('dotnet', args, {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let exited = null;
  child.on('exit', (code) => (exited = code));

  const twin = {
    url,
    get output() { return output; },
    async stop() {
      if (exited === null) {
        try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
        for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
        if (exited === null) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      }
      rmSync(data, { recursive: true, force: true });
    },
  };

  try {
    await waitForSample(twin, () => exited);
  } catch (error) {
    await twin.stop();
    throw new Error(`${error.message}\n--- twin output ---\n${output}`);
  }
  return twin;
}

/** Ready, and the whole sample loaded (every district with all its sensors). */
async function waitForSample(twin, exitCode) {
  const sample = loadSample();
  const deadline = Date.now() + 120_000;
  let token = null;
  while (Date.now() < deadline) {
    if (exitCode() !== null) throw new Error(`The twin exited with code ${exitCode()}.`);
    try {
      token ??= await devToken(twin.url, { role: 'ioc' });
      const response = await fetch(`${twin.url}/api/v1/districts`, { headers: { Authorization: `Bearer ${token}` } });
      if (response.ok) {
        const districts = await response.json();
        const sensors = districts.reduce((n, d) => n + d.sensorCount, 0);
        if (districts.length === sample.districts.length && sensors === sample.sensors.length) return;
      }
    } catch { /* not up yet */ }
    await sleep(500);
  }
  throw new Error('The twin did not load the Đà Nẵng sample within 120 s.');
}

export async function devToken(url, request) {
  const response = await fetch(`${url}/api/v1/dev/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request),
  });
  if (!response.ok) throw new Error(`dev token: HTTP ${response.status}`);
  return (await response.json()).token;
}

/** Posts readings [{ sensorId, values }] stamped a second ago; fails unless every one is accepted. */
export async function postReadings(url, readings) {
  const timestamp = new Date(Date.now() - 1000).toISOString();
  const response = await fetch(`${url}/api/v1/readings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Api-Key': INGEST_KEY },
    body: JSON.stringify(readings.map((r) => ({ timestamp, ...r }))),
  });
  const result = await response.json();
  if (response.status !== 202 || result.accepted !== readings.length) {
    throw new Error(`readings: HTTP ${response.status} ${JSON.stringify(result)}`);
  }
  return result;
}
