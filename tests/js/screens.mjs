// Many screens in one Node process of their own, each a SignalR connection (JSON protocol over a WebSocket) subscribed
// to one scope, recording when each delta frame brought each watched sensor's reading count. A screen is a measuring
// instrument here: it reads every byte the hub sends but picks the sensors' ids and counts out of a delta without parsing
// the rest of it, so that a thousand of them cost the machine they share with the twin little more than their sockets.
// Each delta sensor names its id first and its readingCount later in the record; no other record of a delta has a
// readingCount. The official client parses a whole frame of this row (some 10 KB) in a fraction of a millisecond.
//
//   node screens.mjs <hub url> <token> <watched sensors file>
//       The file holds one sensor id per line; a sensor is recorded by its line number. Commands come as JSON lines on
//       standard input, each answered by one JSON line on standard output:
//       { cmd: "connect", scopes: [scope, ...] }  adds one screen per scope, 16 connecting at a time, each given 60 s to
//           connect and have its Subscribe answered, the step 5 minutes →
//           { subscribed, joined: [positions in scopes of the screens subscribed], failed: { reason: count }, untried,
//             seconds, connectMs: [sorted times of those subscribed] }
//       { cmd: "record" }  forgets what was recorded and records from now → { ok: true }
//       { cmd: "take", file }  stops recording and writes the records to <file>, each 24 bytes little-endian: screen
//           (int32, in order of connection), sensor (int32), reading count (float64), arrival (int64 nanoseconds of
//           CLOCK_MONOTONIC, the clock .NET's Stopwatch reads on Linux) →
//           { records, frames: [per screen, while recording], resyncs: [per screen, since it joined], deltaBytes (of
//             the delta frames recorded, all screens together),
//             loopDelayMs: { p50, p99, max } (how late the process ran what was due while recording) }
//       { cmd: "close" }  closes every connection and exits.
import WebSocket from "ws";
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { monitorEventLoopDelay } from "node:perf_hooks";

const [url, token, sensorsFile] = process.argv.slice(2);
if (!url || !token || !sensorsFile) {
  console.error("usage: node screens.mjs <hub url> <token> <watched sensors file>");
  process.exit(64);
}
const sensorIndex = new Map(readFileSync(sensorsFile, "utf8").split("\n").filter((id) => id).map((id, i) => [id, i]));
const SCREEN_LIMIT_MS = 60_000;
const STEP_LIMIT_MS = 5 * 60_000;
const AT_ONCE = 16;

const screens = [];
// How late this process ran what was due: a frame waits that long before it is recorded.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
let recording = false;
let deltaBytes = 0;
let records = 0;
let capacity = 1 << 20;
let screenOf = new Int32Array(capacity);
let sensorOf = new Int32Array(capacity);
let countOf = new Float64Array(capacity);
let arrivedAt = new BigInt64Array(capacity);

function grow() {
  capacity *= 2;
  const copy = (Type, from) => { const to = new Type(capacity); to.set(from); return to; };
  screenOf = copy(Int32Array, screenOf);
  sensorOf = copy(Int32Array, sensorOf);
  countOf = copy(Float64Array, countOf);
  arrivedAt = copy(BigInt64Array, arrivedAt);
}

const RS = 0x1e;
const DELTA = Buffer.from('"target":"delta"');
const RESYNC = Buffer.from('"target":"resync"');
const COMPLETION = Buffer.from('"type":3');
const ERROR = Buffer.from('"error":');
const READING_COUNT = Buffer.from('"readingCount":');
const ID = Buffer.from('{"id":"');
const PING = '{"type":6}\x1e';

// Whether a message names this among its first bytes, where a hub message writes its type, target and invocation id.
const opensWith = (message, token) => message.subarray(0, 64).indexOf(token) >= 0;

// One SignalR message of a screen, whole.
function onMessage(screen, message, now) {
  if (opensWith(message, DELTA)) {
    if (!recording) return;
    screen.frames++;
    deltaBytes += message.length;
    for (let at = message.indexOf(READING_COUNT); at >= 0; at = message.indexOf(READING_COUNT, at + READING_COUNT.length)) {
      const start = message.lastIndexOf(ID, at) + ID.length;
      const end = message.indexOf(0x22, start);
      const index = sensorIndex.get(message.toString("latin1", start, end));
      if (index === undefined) continue;
      let count = 0;
      for (let i = at + READING_COUNT.length; message[i] >= 0x30 && message[i] <= 0x39; i++) count = count * 10 + (message[i] - 0x30);
      if (records === capacity) grow();
      screenOf[records] = screen.index;
      sensorOf[records] = index;
      countOf[records] = count;
      arrivedAt[records] = now;
      records++;
    }
  } else if (opensWith(message, RESYNC)) {
    screen.resyncs++;
  } else if (screen.awaiting && opensWith(message, COMPLETION)) {
    const settle = screen.awaiting;
    screen.awaiting = null;
    settle(opensWith(message, ERROR) ? new Error("Subscribe failed") : null);
  }
}

function newScreen(scope) {
  return { index: -1, scope, frames: 0, resyncs: 0, socket: null, pending: null, awaiting: null, pinger: null };
}

// Connects, completes the handshake and subscribes; resolves once the Subscribe answer has come.
function start(screen) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}?access_token=${encodeURIComponent(token)}`, { perMessageDeflate: false });
    screen.socket = socket;
    let handshaken = false;
    socket.on("error", (error) => reject(error));
    socket.on("close", () => reject(new Error("closed")));
    socket.on("open", () => socket.send('{"protocol":"json","version":1}\x1e'));
    socket.on("message", (data) => {
      const now = process.hrtime.bigint();
      let buffer = screen.pending ? Buffer.concat([screen.pending, data]) : data;
      let from = 0;
      for (let end = buffer.indexOf(RS); end >= 0; from = end + 1, end = buffer.indexOf(RS, from)) {
        if (!handshaken) {
          handshaken = true;
          // The hub closes a connection it has not heard from within its client timeout (30 s or more).
          screen.pinger = setInterval(() => socket.readyState === WebSocket.OPEN && socket.send(PING), 10_000);
          screen.awaiting = (error) => (error ? reject(error) : resolve());
          socket.send(JSON.stringify({ type: 1, invocationId: "1", target: "Subscribe", arguments: [screen.scope] }) + "\x1e");
          continue;
        }
        onMessage(screen, buffer.subarray(from, end), now);
      }
      screen.pending = from < buffer.length ? Buffer.from(buffer.subarray(from)) : null;
    });
  });
}

function stop(screen) {
  clearInterval(screen.pinger);
  screen.socket?.terminate();
}

async function connect(scopes) {
  const started = performance.now();
  const added = scopes.map(newScreen);
  const failed = {};
  const times = [];
  const subscribed = new Set();
  let next = 0;
  const worker = async () => {
    while (next < added.length && performance.now() - started < STEP_LIMIT_MS) {
      const screen = added[next++];
      screen.tried = true;
      const screenStarted = performance.now();
      let timer;
      const limit = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`not subscribed within ${SCREEN_LIMIT_MS / 1000} s`)), SCREEN_LIMIT_MS)));
      try {
        await Promise.race([start(screen), limit]);
        times.push(performance.now() - screenStarted);
        subscribed.add(screen);
      } catch (error) {
        const reason = error?.message?.startsWith("not subscribed") ? error.message : (error?.name ?? "Error");
        failed[reason] = (failed[reason] ?? 0) + 1;
        stop(screen);
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  const untried = added.filter((s) => !s.tried);
  for (const screen of untried) stop(screen);
  // Screens are numbered in the order they joined: the numbers the records carry.
  for (const screen of added.filter((s) => subscribed.has(s))) {
    screen.index = screens.length;
    screens.push(screen);
  }
  times.sort((a, b) => a - b);
  const joined = added.map((s, i) => (subscribed.has(s) ? i : -1)).filter((i) => i >= 0);
  return { subscribed: subscribed.size, joined, failed, untried: untried.length, seconds: (performance.now() - started) / 1000, connectMs: times };
}

function take(file) {
  recording = false;
  const buffer = Buffer.alloc(records * 24);
  for (let i = 0; i < records; i++) {
    const at = i * 24;
    buffer.writeInt32LE(screenOf[i], at);
    buffer.writeInt32LE(sensorOf[i], at + 4);
    buffer.writeDoubleLE(countOf[i], at + 8);
    buffer.writeBigInt64LE(arrivedAt[i], at + 16);
  }
  writeFileSync(file, buffer);
  const answer = {
    records, frames: screens.map((s) => s.frames), resyncs: screens.map((s) => s.resyncs), deltaBytes,
    loopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  };
  loopDelay.disable();
  records = 0;
  return answer;
}

const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const command = JSON.parse(line);
  switch (command.cmd) {
    case "connect":
      print(await connect(command.scopes));
      break;
    case "record":
      records = 0;
      for (const screen of screens) screen.frames = 0;
      deltaBytes = 0;
      loopDelay.reset();
      loopDelay.enable();
      recording = true;
      print({ ok: true });
      break;
    case "take":
      print(take(command.file));
      break;
    case "close":
      for (const screen of screens) stop(screen);
      process.exit(0);
  }
}
process.exit(0);
