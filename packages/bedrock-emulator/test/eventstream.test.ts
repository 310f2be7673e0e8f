import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { expect, test } from "vitest";
import { eventStreamBody, type StreamEvent } from "../src/eventstream.ts";

test("frames are produced lazily and cancel stops the generator", async () => {
  let produced = 0;
  function* events(): Generator<StreamEvent> {
    for (let i = 0; i < 1000; i++) {
      produced++;
      yield { eventType: "chunk", payload: { i } };
    }
  }
  const body = eventStreamBody({ events: events(), eventDelayMs: 5, failWith: "internalServerException" });
  const reader = body.getReader();
  const first = await reader.read();
  const msg = new EventStreamCodec(toUtf8, fromUtf8).decode(first.value!);
  expect(msg.headers[":event-type"]?.value).toBe("chunk");
  expect(JSON.parse(toUtf8(msg.body))).toEqual({ i: 0 });
  expect(produced).toBeLessThanOrEqual(2);
  await reader.cancel();
  const atCancel = produced;
  await new Promise((r) => setTimeout(r, 50));
  expect(produced).toBe(atCancel);
});

test("abort signal stops the stream", async () => {
  let produced = 0;
  function* events(): Generator<StreamEvent> {
    for (;;) {
      produced++;
      yield { eventType: "chunk", payload: {} };
    }
  }
  const ac = new AbortController();
  const reader = eventStreamBody({ events: events(), eventDelayMs: 5, failWith: "x", signal: ac.signal }).getReader();
  await reader.read();
  ac.abort();
  const atAbort = produced;
  await new Promise((r) => setTimeout(r, 50));
  expect(produced).toBeLessThanOrEqual(atAbort + 1);
});
