/**
 * Response headers from several records, each name once: header names are case-insensitive, so a later
 * `x-amzn-RequestId` replaces an earlier `x-amzn-requestid` instead of both going out ("id, id" to a client).
 */
export function headersOnce(...records: (Record<string, string> | undefined)[]): Headers {
  const headers = new Headers();
  for (const record of records) for (const [name, value] of Object.entries(record ?? {})) headers.set(name, value);
  return headers;
}
