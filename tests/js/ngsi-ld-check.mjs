// An NGSI-LD client with nothing but fetch: subscribes to a scope on the twin hub with the official SignalR client,
// upserts a TrafficFlowObserved of a sensor through /ngsi-ld/v1 and waits for the delta in which the sensor's road
// segment reaches a level of service.
//
//   node ngsi-ld-check.mjs <twin base url> <ioc token> <scope> <sensor id> <segment id> <speed km/h> <level> [timeout ms]
//
// Prints one JSON object per line on stdout:
//   { "status": "subscribed", "scope", "los" }  once the snapshot has arrived (los: the segment's level then)
//   { "status": "written", "httpStatus", "body" }  the NGSI-LD batch upsert's answer
//   { "status": "delta", "segment" }  the delta in which the segment has the level
//   { "status": "error", "error" }  the subscription or the write failed
//   { "status": "timeout", "deltas", "lastSegment" }  no such delta in time (the segment as the last delta had it)
// Exit code: 0 for the delta, 2 for an error, 3 for a timeout, 64 for bad arguments.
import * as signalR from "@microsoft/signalr";

const [base, token, scope, sensorId, segmentId, speedArg, level, timeoutArg] = process.argv.slice(2);
if (!base || !token || !scope || !sensorId || !segmentId || !speedArg || !level) {
  console.error("usage: node ngsi-ld-check.mjs <twin base url> <ioc token> <scope> <sensor id> <segment id> <speed km/h> <level> [timeout ms]");
  process.exit(64);
}
const timeoutMs = Number(timeoutArg ?? 15000);
const smartDataModels = "https://smartdatamodels.org/context.jsonld";
const print = (result) => process.stdout.write(JSON.stringify(result) + "\n");

const connection = new signalR.HubConnectionBuilder()
  .withUrl(new URL("/hubs/twin", base).toString(), { accessTokenFactory: () => token })
  .configureLogging(signalR.LogLevel.Warning)
  .build();

let deltas = 0;
let lastSegment = null;
let finish;
const finished = new Promise((resolve) => (finish = resolve));
connection.on("delta", (frame) => {
  deltas++;
  const segment = frame.scope === scope ? frame.segments.find((s) => s.id === segmentId) : undefined;
  lastSegment = segment ?? lastSegment;
  if (segment?.traffic?.los === level) {
    finish({ code: 0, result: { status: "delta", segment } });
  }
});
connection.on("resync", () => {});
connection.on("alert", () => {});
const timer = setTimeout(() => finish({ code: 3, result: { status: "timeout", deltas, lastSegment } }), timeoutMs);

try {
  await connection.start();
  const snapshot = await connection.invoke("Subscribe", scope);
  const before = snapshot.segments.find((s) => s.id === segmentId);
  print({ status: "subscribed", scope: snapshot.scope, los: before?.traffic?.los ?? null });

  // What a sector system sends: its counter's observation, in the Smart Data Models vocabulary.
  // One observedAt for all: values observed at different times would be separate readings.
  const observedAt = new Date().toISOString();
  const observation = {
    id: `urn:ngsi-ld:TrafficFlowObserved:${sensorId}`,
    type: "TrafficFlowObserved",
    averageVehicleSpeed: { type: "Property", value: Number(speedArg), unitCode: "KMH", observedAt },
    intensity: { type: "Property", value: 1600, observedAt },
    occupancy: { type: "Property", value: 0.9, unitCode: "C62", observedAt },
  };
  const response = await fetch(new URL("/ngsi-ld/v1/entityOperations/upsert", base), {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Authorization: `Bearer ${token}`,
      Link: `<${smartDataModels}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`,
    },
    body: JSON.stringify([observation]),
  });
  const text = await response.text();
  print({ status: "written", httpStatus: response.status, body: text.length > 0 ? JSON.parse(text) : null });
  if (!response.ok) {
    finish({ code: 2, result: { status: "error", error: `upsert answered ${response.status}` } });
  }
} catch (error) {
  finish({ code: 2, result: { status: "error", error: String(error?.message ?? error) } });
}

const { code, result } = await finished;
clearTimeout(timer);
print(result);
await connection.stop().catch(() => {});
process.exit(code);
