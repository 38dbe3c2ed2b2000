/**
 * Checks shared by the compile targets. They run inside the (pure) compilers, so a caller that skips its own
 * validation still cannot produce a file with a malformed URL or a token that breaks a header.
 */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
export const otlpProtocols: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

/** An http(s) base URL without a trailing slash. */
export function baseUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be a URL such as https://steward.example.com, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be http:// or https://`);
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(`${name} must not carry a query, fragment or credentials`);
  }
  return url.href.replace(/\/+$/, '');
}

/** A bearer token as RFC 6750 allows it (b64token): it goes into `Authorization=Bearer …` headers verbatim. */
export function bearerToken(value: string): string {
  if (!/^[A-Za-z0-9._~+/-]+=*$/.test(value)) {
    throw new Error(
      'the token must be a bearer token (letters, digits and - . _ ~ + / =), as `steward keys create` prints',
    );
  }
  return value;
}

export function uuid(value: string, name: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new Error(`${name} must be a UUID, got "${value}"`);
  }
  return value.toLowerCase();
}
