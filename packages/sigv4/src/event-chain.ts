/**
 * Signed event streams (InvokeModelWithBidirectionalStream), as the AWS SDKs write them and AWS checks them: the
 * request is signed with the payload hash `STREAMING-AWS4-HMAC-SHA256-EVENTS`, then every event travels inside an
 * envelope frame whose headers are `:date` and `:chunk-signature`. Each signature is an `AWS4-HMAC-SHA256-PAYLOAD`
 * string signed with the request's key, chained from the previous one, the first from the request's signature.
 * The last envelope of a stream carries an empty payload: the client's end of input.
 * `@smithy/signature-v4` computes every link and `@smithy/eventstream-codec` reads and writes the frames.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, ChecksumConstructor, HashConstructor, Message, MessageHeaders } from "@smithy/types";
import { fromHex, toHex } from "@smithy/util-hex-encoding";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { formatAmzDate } from "./amz-date.ts";
import { incompleteSignature, invalidSignature } from "./errors.ts";
import { timingSafeEqualHex } from "./timing-safe.ts";

export const STREAMING_EVENTS_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-EVENTS";

const MAX_SKEW_MS = 5 * 60 * 1000;
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Checks one envelope after the other against the chain; verification order is the stream's order. */
export interface EventChainVerifier {
  /**
   * The event inside one envelope frame (an encoded event-stream message; empty for the end of input), once the
   * envelope's `:chunk-signature` is the chain's next link. Throws SigV4Error otherwise, and the chain stays broken.
   */
  open(frame: Uint8Array): Promise<Uint8Array>;
}

export interface EventChainVerifierOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** The request's scope region and service. */
  region: string;
  service?: string;
  /** The request's own (verified) signature. */
  seedSignature: string;
  nowMs?: () => number;
}

export function eventChainVerifier(options: EventChainVerifierOptions): EventChainVerifier {
  const { region, nowMs = Date.now } = options;
  const signer = new SignatureV4({ service: options.service ?? "bedrock", region, credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }, sha256: Sha256 });
  let prior = options.seedSignature;
  let index = 0;
  let broken: Error | null = null;
  return {
    async open(frame) {
      if (broken) throw broken;
      index++;
      try {
        const envelope = decodeEnvelope(frame, index);
        const date = envelope.headers[":date"]!.value as Date;
        const skew = date.getTime() - nowMs();
        if (Math.abs(skew) > MAX_SKEW_MS) {
          throw invalidSignature(`Signature expired: event ${index} is dated ${formatAmzDate(date.getTime())}, more than 5 min from ${formatAmzDate(nowMs())}.`);
        }
        const { signature } = await signer.signMessage({ message: { headers: { ":date": envelope.headers[":date"]! }, body: envelope.body }, priorSignature: prior }, { signingDate: date, signingRegion: region });
        if (!timingSafeEqualHex(signature, toHex(envelope.headers[":chunk-signature"]!.value as Uint8Array))) {
          throw invalidSignature(
            `The signature of event ${index} does not match the signature we calculated. Each event must be signed with the request's credentials, chained from the previous event's signature (the first from the request's).`,
          );
        }
        prior = signature;
        return envelope.body;
      } catch (error) {
        broken = error as Error;
        throw error;
      }
    },
  };
}

function decodeEnvelope(frame: Uint8Array, index: number): Message {
  let envelope: Message;
  try {
    envelope = codec.decode(frame);
  } catch (error) {
    throw incompleteSignature(`Event ${index} is not a well-formed event-stream frame (${error instanceof Error ? error.message : String(error)}).`);
  }
  const { headers } = envelope;
  if (headers[":date"]?.type !== "timestamp" || headers[":chunk-signature"]?.type !== "binary") {
    throw incompleteSignature(`Event ${index} must be wrapped in an envelope with ':date' (timestamp) and ':chunk-signature' (binary) headers.`);
  }
  return envelope;
}

/** Wraps events in signed envelopes, each chained from the last; `sign` calls are chained in call order. */
export interface EventChainSigner {
  /** The envelope frame for one encoded event (empty bytes: the end of input). */
  sign(event: Uint8Array): Promise<Uint8Array>;
}

export interface EventChainSignerOptions {
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  region: string;
  service?: string;
  /** The signature of the request the events belong to. */
  seedSignature: string;
  sha256?: ChecksumConstructor | HashConstructor;
  now?: () => number;
}

export function eventChainSigner(options: EventChainSignerOptions): EventChainSigner {
  const { region, now = Date.now } = options;
  const signer = new SignatureV4({ service: options.service ?? "bedrock", region, credentials: options.credentials, sha256: options.sha256 ?? Sha256 });
  let prior = options.seedSignature;
  let last: Promise<unknown> = Promise.resolve();
  const signOne = async (event: Uint8Array): Promise<Uint8Array> => {
    const date: MessageHeaders = { ":date": { type: "timestamp", value: new Date(now()) } };
    const { signature } = await signer.signMessage({ message: { headers: date, body: event }, priorSignature: prior }, { signingDate: date[":date"]!.value as Date, signingRegion: region });
    prior = signature;
    return codec.encode({ headers: { ...date, ":chunk-signature": { type: "binary", value: fromHex(signature) } }, body: event });
  };
  return {
    sign(event) {
      const signed = last.then(() => signOne(event));
      last = signed.catch(() => {});
      return signed;
    },
  };
}
