/** A verification failure, named as AWS names it so callers can answer with the same error type. */
export class SigV4Error extends Error {
  constructor(
    readonly status: 400 | 401 | 403,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export const invalidSignature = (message: string) => new SigV4Error(403, "InvalidSignatureException", message);
export const incompleteSignature = (message: string) => new SigV4Error(403, "IncompleteSignatureException", message);
export const unrecognizedClient = () => new SigV4Error(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
