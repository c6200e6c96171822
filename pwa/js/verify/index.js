/**
 * Offline verifier of Fangang FG1 health cards and EU DCC (HC1) codes, for the checkpoint
 * screen of the PWA. Same format, steps and reason codes as app/credentials (Python).
 *
 *   import { TrustStore, verify } from './verify/index.js';
 *   const store = await TrustStore.fromTrustList(trustListJson, [ROOT_JWK]);
 *   await store.addRevocationList(new Uint8Array(await revocations.arrayBuffer()));
 *   const result = await verify(scannedText, store);   // never throws
 *   if (result.valid) show(result.card); else explain(result.reason);
 *
 * Plain ES modules, no dependencies. Needs Chrome/WebView 80+ (WebCrypto, BigInt, optional
 * chaining, DecompressionStream for HC1 codes) or Node 20.
 */
export {
  DEFAULT_CLOCK_SKEW_MS,
  DecodeError,
  FG1_PREFIX,
  HC1_PREFIX,
  MAX_TEXT_LENGTH,
  REASONS,
  decode,
  decodePayload,
  verify,
} from './verify.js';
export {
  TRUST_LIST_FORMAT,
  TRUST_LIST_VERSION,
  TrustEntry,
  TrustStore,
  canonicalJson,
  verifyTrustList,
} from './trust.js';
export {
  CARD_CLAIM,
  CARD_TYPES,
  CLAIM_EXP,
  CLAIM_HCERT,
  CLAIM_IAT,
  DCC_TYPES,
  STATUSES,
  cardInfo,
} from './claims.js';
export { CONTENT_TYPE as REVOCATION_CONTENT_TYPE, cardIdHash } from './revocation.js';
export { ALG_ES256, ALG_PS256 } from './cose.js';
export { CborFloat, SimpleValue, Tagged } from './cbor.js';
export { b64DecodeAny, b64urlEncode, computeKid } from './keys.js';
export { MAX_INFLATED, available as inflateAvailable } from './inflate.js';
export {
  Base45Error,
  CborError,
  CoseError,
  CredentialError,
  InflateError,
  SchemaError,
  SignatureError,
} from './errors.js';
