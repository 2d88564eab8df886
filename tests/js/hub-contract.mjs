// Checks the twin hub's promises to screens with the official SignalR JavaScript client under Node.
//
//   node hub-contract.mjs subscribe   <hub url> <token> <scope,scope,...> [gap ms]
//       Subscribes to every scope on one connection, sending each call the gap after the previous one without
//       waiting for its answer; one line per scope, in order of arrival (at: ms since the first call was sent;
//       sentAt, receivedAt: Unix ms):
//       { status: "subscribed", scope, ms, at, sentAt, receivedAt, sequence, districts, segments, sensors }
//       or { status: "error", scope, ms, at, sentAt, receivedAt, error }
//   node hub-contract.mjs resubscribe <hub url> <token> <scope>
//       Subscribes, waits for a delta, unsubscribes (the scope may have no subscriber left), subscribes again and waits
//       for a delta: lines { status: "subscribed" | "delta" | "resubscribed" | "delta", sequence }
//   node hub-contract.mjs stall       <hub url> <token> <scope> <stall ms>
//       Subscribes, waits for a delta, then freezes (reads nothing) for the stall, as a frozen browser tab does.
//       Then: { status: "resync", reason } followed by { status: "resubscribed", sequence } and { status: "live", sequence }
//       when told to resync; { status: "closed", error } when the server closed the connection.
//   node hub-contract.mjs parts       <hub url> <token> <scope,scope,...>
//       Subscribes to each scope in turn, merges the snapshot's "snapshot-part" frames as a screen does, then
//       unsubscribes (a scope named twice is subscribed afresh); one line per subscription once its last part is in:
//       { status: "complete", scope, sequence, parts, answerSegments, segments, uniqueSegments, answerSensors,
//         sensors (ids in the answer and parts), unique,
//         districts, sectors (distinct values over those sensors), partNumbers, deltaBeforeLastPart }
//       or, when the server sends the scope "resync" before its last part (the parts still awaited will not come),
//       { status: "resync", scope, sequence, parts, partsReceived, reason }
// Every mode ends within 30 s after its last step; { status: "timeout" } (exit 3) otherwise, { status: "failed", error } (exit 2).
import * as signalR from "@microsoft/signalr";

// The fifth argument is the gap between calls (subscribe) or the stall (stall), in ms.
const [mode, url, token, scopeArg, stallArg] = process.argv.slice(2);
if (!mode || !url || !token || !scopeArg) {
  console.error("usage: node hub-contract.mjs <subscribe|resubscribe|stall> <hub url> <token> <scope[,scope...]> [stall ms]");
  process.exit(64);
}

const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const connection = new signalR.HubConnectionBuilder()
  .withUrl(url, { accessTokenFactory: () => token })
  .configureLogging(signalR.LogLevel.None)
  .build();

// Deltas and resyncs as they arrive; waiters are resolved by the first that matches.
const waiters = [];
const arrive = (kind, frame) => {
  for (const w of [...waiters]) {
    if (w.kind === kind && w.match(frame)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(frame);
    }
  }
};
const next = (kind, match = () => true, ms = 30000) =>
  new Promise((resolve, reject) => {
    const w = { kind, match, resolve };
    waiters.push(w);
    setTimeout(() => reject(new Error(`timeout waiting for ${kind}`)), ms).unref();
  });
connection.on("delta", (frame) => arrive("delta", frame));
connection.on("resync", (frame) => arrive("resync", frame));
// Parts and deltas in order of arrival, for the parts mode.
const arrivals = [];
connection.on("snapshot-part", (frame) => {
  arrivals.push({ kind: "part", frame });
  arrive("part", frame);
});
connection.on("delta", (frame) => arrivals.push({ kind: "delta", frame }));
connection.on("resync", (frame) => arrivals.push({ kind: "resync", frame }));
connection.on("alert", () => {});
connection.onclose((error) => arrive("close", { error: error?.message ?? null }));

let origin = performance.now();
const subscribe = async (scope) => {
  const started = performance.now();
  const sentAt = Date.now();
  const times = () => ({ ms: Math.round(performance.now() - started), at: Math.round(performance.now() - origin), sentAt, receivedAt: Date.now() });
  try {
    const s = await connection.invoke("Subscribe", scope);
    return { status: "subscribed", scope, ...times(), sequence: s.sequence, districts: s.districts.length, segments: s.segments.length, sensors: s.sensors.length };
  } catch (error) {
    return { status: "error", scope, ...times(), error: String(error?.message ?? error) };
  }
};

const run = {
  async subscribe() {
    const gap = Number(stallArg ?? 0);
    origin = performance.now();
    const calls = [];
    for (const scope of scopeArg.split(",")) {
      calls.push(subscribe(scope).then(print));
      if (gap > 0) await new Promise((r) => setTimeout(r, gap));
    }
    await Promise.all(calls);
  },

  async resubscribe() {
    const scope = scopeArg;
    const first = await subscribe(scope);
    print(first);
    let delta = await next("delta", (f) => f.scope === scope && f.sequence > first.sequence);
    print({ status: "delta", sequence: delta.sequence });
    await connection.invoke("Unsubscribe", scope);
    await new Promise((r) => setTimeout(r, 300));
    const again = await subscribe(scope);
    print({ ...again, status: again.status === "subscribed" ? "resubscribed" : again.status });
    delta = await next("delta", (f) => f.scope === scope && f.sequence > again.sequence);
    print({ status: "delta", sequence: delta.sequence });
  },

  async parts() {
    for (const scope of scopeArg.split(",")) {
      const from = arrivals.length;
      const snapshot = await connection.invoke("Subscribe", scope);
      const mine = () => arrivals.slice(from).filter((a) => a.kind === "part" && a.frame.scope === scope && a.frame.sequence === snapshot.sequence);
      // A resync of the scope ends the snapshot: its parts still awaited will not come.
      const resynced = () => arrivals.slice(from).find((a) => a.kind === "resync" && a.frame.scope === scope);
      while (mine().length < snapshot.parts && !resynced()) {
        const waits = [next("part", (f) => f.scope === scope), next("resync", (f) => f.scope === scope)];
        // The wait that loses the race times out later unobserved: that must not end the process.
        waits.forEach((w) => w.catch(() => {}));
        await Promise.race(waits);
      }
      if (resynced()) {
        print({ status: "resync", scope, sequence: snapshot.sequence, parts: snapshot.parts, partsReceived: mine().length, reason: resynced().frame.reason });
        await connection.invoke("Unsubscribe", scope);
        continue;
      }
      const parts = mine().map((a) => a.frame);
      const lastPart = arrivals.indexOf(mine().at(-1) ?? null);
      const deltaBeforeLastPart = arrivals.slice(from, Math.max(from, lastPart)).some(
        (a) => a.kind === "delta" && a.frame.scope === scope && a.frame.sequence > snapshot.sequence);
      const sensors = [...snapshot.sensors, ...parts.flatMap((p) => p.sensors)];
      const segments = [...snapshot.segments, ...parts.flatMap((p) => p.segments ?? [])];
      print({
        status: "complete", scope, sequence: snapshot.sequence, parts: snapshot.parts ?? 0, answerSensors: snapshot.sensors.length,
        answerSegments: snapshot.segments.length, segments: segments.length, uniqueSegments: new Set(segments.map((x) => x.id)).size,
        sensors: sensors.length, unique: new Set(sensors.map((x) => x.id)).size,
        districts: [...new Set(sensors.map((x) => x.districtId))].sort(), sectors: [...new Set(sensors.map((x) => x.sector))].sort(),
        partNumbers: parts.map((p) => p.part).sort((a, b) => a - b), deltaBeforeLastPart,
      });
      await connection.invoke("Unsubscribe", scope);
    }
  },

  async stall() {
    const scope = scopeArg;
    const first = await subscribe(scope);
    print(first);
    await next("delta", (f) => f.scope === scope);
    const resync = next("resync", (f) => f.scope === scope).then((f) => ({ kind: "resync", frame: f }));
    const closed = next("close").then((f) => ({ kind: "close", frame: f }));
    print({ status: "stalling", ms: Number(stallArg) });
    // A frozen tab: nothing runs, nothing is read, for the whole stall.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(stallArg));
    const first_ = await Promise.race([resync, closed]);
    if (first_.kind === "close") {
      print({ status: "closed", error: first_.frame.error });
      return;
    }
    print({ status: "resync", reason: first_.frame.reason });
    const fresh = await subscribe(scope);
    print({ ...fresh, status: fresh.status === "subscribed" ? "resubscribed" : fresh.status });
    const live = await Promise.race([next("delta", (f) => f.scope === scope && f.sequence > fresh.sequence), closed]);
    print(live.sequence !== undefined ? { status: "live", sequence: live.sequence } : { status: "closed", error: live.frame.error });
  },
};

if (!run[mode]) {
  console.error(`unknown mode ${mode}`);
  process.exit(64);
}
try {
  await connection.start();
  await run[mode]();
  await connection.stop().catch(() => {});
  process.exit(0);
} catch (error) {
  const message = String(error?.message ?? error);
  print({ status: message.startsWith("timeout") ? "timeout" : "failed", error: message });
  process.exit(message.startsWith("timeout") ? 3 : 2);
}
