// Connects to the twin hub with the official SignalR JavaScript client, subscribes to a scope and waits for a
// delta that carries a given sensor.
//
//   node stream-check.mjs <hub url> <token> <scope> <sensor id> [timeout ms]
//
// Prints one JSON object per line on stdout:
//   { "status": "subscribed", "scope", "sequence", "sensors", "segments" }  once the snapshot has arrived
//   { "status": "delta", "scope", "sequence", "snapshotSequence", "sensor", "segments" }  the delta with the sensor
//   { "status": "error", "error" }  the subscription was refused or the connection failed
//   { "status": "timeout", "deltas" }  no delta with the sensor in time
// Exit code: 0 for a delta, 2 for an error, 3 for a timeout, 64 for bad arguments.
import * as signalR from "@microsoft/signalr";

const [url, token, scope, sensorId, timeoutArg] = process.argv.slice(2);
if (!url || !token || !scope || !sensorId) {
  console.error("usage: node stream-check.mjs <hub url> <token> <scope> <sensor id> [timeout ms]");
  process.exit(64);
}
const timeoutMs = Number(timeoutArg ?? 15000);

const print = (result) => process.stdout.write(JSON.stringify(result) + "\n");

const connection = new signalR.HubConnectionBuilder()
  .withUrl(url, { accessTokenFactory: () => token })
  .configureLogging(signalR.LogLevel.Warning)
  .build();

let snapshotSequence = null;
let deltas = 0;
let finish;
const finished = new Promise((resolve) => (finish = resolve));

connection.on("delta", (frame) => {
  deltas++;
  if (frame.scope !== scope) {
    return;
  }
  const sensor = frame.sensors.find((s) => s.id === sensorId);
  if (sensor) {
    finish({ code: 0, result: { status: "delta", scope: frame.scope, sequence: frame.sequence, snapshotSequence, sensor, segments: frame.segments } });
  }
});
connection.on("resync", () => {});
connection.on("alert", () => {});

const timer = setTimeout(() => finish({ code: 3, result: { status: "timeout", deltas } }), timeoutMs);

try {
  await connection.start();
  const snapshot = await connection.invoke("Subscribe", scope);
  snapshotSequence = snapshot.sequence;
  print({ status: "subscribed", scope: snapshot.scope, sequence: snapshot.sequence, sensors: snapshot.sensors.length, segments: snapshot.segments.length });
} catch (error) {
  finish({ code: 2, result: { status: "error", error: String(error?.message ?? error) } });
}

const { code, result } = await finished;
clearTimeout(timer);
print(result);
await connection.stop().catch(() => {});
process.exit(code);
