// Times Subscribe with the official SignalR JavaScript client under Node, as a screen in its own process sees it.
//
//   node subscribe-timing.mjs <hub url> <token> <scope,scope,...> <samples>
//       On one connection, <samples> rounds; each round calls Unsubscribe of a scope it does not hold (a hub round trip
//       that does nothing), then subscribes to each scope in turn, takes the answer and every part it announces (or a
//       resync of the scope, which ends the snapshot), and unsubscribes. One line per call, as it ends:
//       { scope: "no-op hub call" | <scope>, answerMs (call → answer parsed), wholeMs (→ last part parsed; the answer's time when
//         it has no parts), outcome: "whole" | "resync" | "timeout", parts, segments, sensors (in the answer and parts) }
//       then { status: "done" } (exit 0); { status: "failed", error } (exit 2) when the connection fails.
import * as signalR from "@microsoft/signalr";

const [url, token, scopeArg, samplesArg] = process.argv.slice(2);
if (!url || !token || !scopeArg || !samplesArg) {
  console.error("usage: node subscribe-timing.mjs <hub url> <token> <scope[,scope...]> <samples>");
  process.exit(64);
}
const scopes = scopeArg.split(",");
const samples = Number(samplesArg);
const WHOLE_TIMEOUT_MS = 60_000;

const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const connection = new signalR.HubConnectionBuilder()
  .withUrl(url, { accessTokenFactory: () => token, transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
  .configureLogging(signalR.LogLevel.None)
  .build();
connection.serverTimeoutInMilliseconds = 120_000;

// The snapshot being awaited: its parts as they come (they may come ahead of the answer), and how it ends.
let awaited = null;
connection.on("snapshot-part", (frame) => {
  if (!awaited || frame.scope !== awaited.scope) return;
  awaited.parts.push(frame);
  awaited.check();
});
connection.on("resync", (frame) => {
  if (!awaited || frame.scope !== awaited.scope) return;
  awaited.resynced = true;
  awaited.check();
});
// Deltas and alerts are parsed (the client library does) and dropped: this client times snapshots only.
connection.on("delta", () => {});
connection.on("alert", () => {});
connection.on("assets", () => {});

async function timeSubscribe(scope) {
  const started = performance.now();
  let done;
  const whole = new Promise((resolve) => (done = resolve));
  awaited = { scope, parts: [], resynced: false, answer: null, check: () => {} };
  // The parts of this answer's snapshot, each number once (a part of an earlier call of the same sequence may still come).
  const mine = () => [...new Map(awaited.parts.filter((p) => p.sequence === awaited.answer.sequence).map((p) => [p.part, p])).values()];
  awaited.check = () => {
    if (awaited.resynced) done("resync");
    else if (awaited.answer && mine().length >= (awaited.answer.parts ?? 0)) done("whole");
  };
  const answer = await connection.invoke("Subscribe", scope);
  const answerMs = performance.now() - started;
  awaited.answer = answer;
  awaited.check();
  const timer = setTimeout(() => done("timeout"), WHOLE_TIMEOUT_MS);
  const outcome = await whole;
  clearTimeout(timer);
  const wholeMs = performance.now() - started;
  const parts = mine();
  const segments = answer.segments.length + parts.reduce((n, p) => n + (p.segments?.length ?? 0), 0);
  const sensors = answer.sensors.length + parts.reduce((n, p) => n + p.sensors.length, 0);
  awaited = null;
  await connection.invoke("Unsubscribe", scope);
  print({ scope, answerMs, wholeMs, outcome, parts: answer.parts ?? 0, segments, sensors });
}

try {
  await connection.start();
  for (let round = 0; round < samples; round++) {
    const started = performance.now();
    await connection.invoke("Unsubscribe", "city");
    const ms = performance.now() - started;
    print({ scope: "no-op hub call", answerMs: ms, wholeMs: ms, outcome: "whole", parts: 0, segments: 0, sensors: 0 });
    for (const scope of scopes) await timeSubscribe(scope);
  }
  print({ status: "done" });
  await connection.stop();
  process.exit(0);
} catch (error) {
  print({ status: "failed", error: String(error) });
  process.exit(2);
}
