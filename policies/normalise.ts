/**
 * How the policy pack reads resource properties, in one place: domains normalised, empty values
 * treated as absent, values it cannot see (Pulumi secrets held as ciphertext, values a stack export
 * records as unknown) and values of the wrong shape refused with the field named. Every rule reads
 * through a `Field`; the stack-export reader uses the same signatures.
 */
import { domainToASCII } from "node:url";

/** The key Pulumi marks special values with in a stack export (`resource.SigKey`). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret (`resource.SecretSig`): `{ [SIG_KEY]: SECRET_SIG, ciphertext }`, or `plaintext` with `--show-secrets`. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** What a stack export writes for a value not known yet (`computedValuePlaceholder`). */
export const UNKNOWN_PLACEHOLDER = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The resource a field belongs to, for messages. */
export interface FieldOwner {
  readonly name: string;
  readonly type: string;
  readonly urn: string;
}

/**
 * A value a rule needs but cannot judge: a secret it cannot decrypt, a value the export records as
 * unknown, or a value of the wrong shape. The offline checker reports it and exits 2; under the
 * policy engine (which hands policies plaintext secrets and typed values) it fails the run.
 */
export class UnreadableValueError extends Error {
  readonly code = "POLICY_VALUE_UNREADABLE";
  constructor(
    readonly resource: FieldOwner,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${resource.name} (${resource.type}): ${field || "its properties"} ${reason}`);
  }
}

/** True for `{ [SIG_KEY]: SECRET_SIG, ... }`: a Pulumi secret as a stack export writes it. */
export function isSecretEnvelope(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, SIG_KEY) && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return isPlainObject(value) ? "an object" : "a special value";
  return typeof value === "number" || typeof value === "boolean" || typeof value === "string" ? `a ${typeof value}` : `a ${typeof value} value`;
}

/** A value for a message: JSON, cut short. */
export function describe(value: unknown, max = 60): string {
  let text: string;
  try {
    text = value === undefined ? "(unset)" : (JSON.stringify(value) ?? String(value));
  } catch {
    text = kindOf(value);
  }
  return clip(text, max);
}

/** True for what the pack treats as absent: `undefined`, `null`, a string of only white space, `[]`, `{}`. */
export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

/** Text for a message, cut short. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * One property of a resource (or the whole props), read the way every rule must read it:
 * `undefined`, `null`, `""` (or only white space), `{}` and `[]` are absent; a secret or unknown value throws
 * `UnreadableValueError` when read; so does a container of the wrong shape (an object where a list
 * belongs, a string where an object belongs). Only own properties are read.
 */
export class Field {
  private constructor(
    private readonly raw: unknown,
    /** Its path from the resource's props, as `origins[1].customOriginConfig`. */
    readonly path: string,
    readonly owner: FieldOwner,
  ) {}

  /** The props of a resource. */
  static of(resource: FieldOwner & { readonly props: unknown }): Field {
    return new Field(resource.props, "", resource);
  }

  /** The value, `undefined` when absent; throws for a value that cannot be seen. */
  get value(): unknown {
    const v = this.raw;
    if (isSecretEnvelope(v)) throw this.unreadable("is a Pulumi secret held as ciphertext in this export, so it cannot be checked; export with --show-secrets (to a protected file) or check the stack with the pack");
    if (v === UNKNOWN_PLACEHOLDER) throw this.unreadable("is recorded as unknown in this export (an update that did not finish); run 'pulumi refresh' and export again");
    return isEmpty(v) ? undefined : v;
  }

  /** True for a value this reader cannot see: a secret held as ciphertext, or a value recorded as unknown. */
  isHidden(): boolean {
    return isSecretEnvelope(this.raw) || this.raw === UNKNOWN_PLACEHOLDER;
  }

  /** True when the value is present (not absent by the rules above). */
  exists(): boolean {
    return this.value !== undefined;
  }

  /** The child at `key`; the value must be an object (or absent, and so is the child). */
  get(key: string): Field {
    const v = this.value;
    const path = this.path ? `${this.path}.${key}` : key;
    if (v === undefined) return new Field(undefined, path, this.owner);
    if (!isPlainObject(v)) throw this.unreadable(`is ${kindOf(v)} where an object belongs`);
    return new Field(Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined, path, this.owner);
  }

  /** The entries of a list (none when absent); the value must be a list. */
  items(): Field[] {
    const v = this.value;
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw this.unreadable(`is ${kindOf(v)} where a list belongs`);
    return v.map((entry, i) => new Field(entry, `${this.path}[${i}]`, this.owner));
  }

  /** A string value (absent: `undefined`); anything else is refused. */
  text(): string | undefined {
    const v = this.value;
    if (v === undefined || typeof v === "string") return v;
    throw this.unreadable(`is ${kindOf(v)} where a string belongs`);
  }

  /** A boolean value (absent: `undefined`); anything else is refused. */
  flag(): boolean | undefined {
    const v = this.value;
    if (v === undefined || typeof v === "boolean") return v;
    throw this.unreadable(`is ${kindOf(v)} where true or false belongs`);
  }

  /** A finite number (absent: `undefined`); anything else is refused. */
  number(): number | undefined {
    const v = this.value;
    if (v === undefined || (typeof v === "number" && Number.isFinite(v))) return v;
    throw this.unreadable(`is ${typeof v === "number" ? "not a finite number" : kindOf(v)} where a number belongs`);
  }

  /** A list of strings: every entry must be a string (an absent entry is refused too). */
  texts(): string[] {
    return this.items().map((entry) => {
      const text = entry.text();
      if (text === undefined) throw entry.unreadable("is empty where a string belongs");
      return text;
    });
  }

  /**
   * A string or a list of strings, as a list: IAM policy elements (`Action`, `Resource`,
   * `Principal` values) take either form. Anything else is refused.
   */
  textList(): string[] {
    return Array.isArray(this.value) ? this.texts() : [this.text()].filter((t): t is string => t !== undefined);
  }

  /** An object or a list of objects, as a list (an IAM policy's `Statement` takes either form). */
  objectList(): Field[] {
    const v = this.value;
    if (v === undefined) return [];
    if (Array.isArray(v)) return this.items();
    if (!isPlainObject(v)) throw this.unreadable(`is ${kindOf(v)} where an object or a list of objects belongs`);
    return [this];
  }

  /** A JSON document held as text (as a bucket policy's `policy`), or already an object: read on at the same path. */
  json(): Field {
    const v = this.value;
    if (typeof v !== "string") return this;
    try {
      return new Field(JSON.parse(v), this.path, this.owner);
    } catch {
      throw this.unreadable("is not valid JSON");
    }
  }

  /** A domain name, normalised (see `normaliseDomain`). */
  domain(): string | undefined {
    const text = this.text();
    return text === undefined ? undefined : normaliseDomain(text);
  }

  /** The value for a message (secrets never decoded: only called on values already read). */
  describe(): string {
    return describe(this.value);
  }

  /** An error saying this field cannot be judged, and why. */
  unreadable(reason: string): UnreadableValueError {
    return new UnreadableValueError(this.owner, this.path, reason);
  }
}

/**
 * A domain name as DNS sees it: IDNA-mapped to ASCII (which also lower-cases it and maps
 * full-width dots), trailing dots removed, surrounding white space removed. Comparing or
 * classifying a domain any other way lets `API.EXAMPLE.COM.` differ from `api.example.com`.
 */
export function normaliseDomain(domain: string): string {
  const trimmed = domain.trim().toLowerCase();
  // domainToASCII is linear, but a name longer than DNS allows (253) cannot resolve anyway.
  const ascii = trimmed.length <= 1024 ? domainToASCII(trimmed) : "";
  return (ascii || trimmed).replace(/\.+$/, "");
}

/** What kind of origin a (normalised) domain names. */
export type DomainKind =
  | { readonly kind: "s3-rest"; readonly bucket: string }
  | { readonly kind: "s3-website"; readonly bucket: string }
  | { readonly kind: "lambda-url"; readonly urlId: string }
  | { readonly kind: "load-balancer"; readonly dnsName: string }
  | { readonly kind: "execute-api"; readonly apiId: string }
  | { readonly kind: "other" };

// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAPI.html: bucket.s3[.dualstack].<region>.amazonaws.com[.cn], and the global bucket.s3.amazonaws.com.
const S3_REST = /^([a-z0-9.-]+)\.s3(?:\.dualstack)?(?:\.[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/;
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html: bucket.s3-website-<region> and bucket.s3-website.<region>.
const S3_WEBSITE = /^(.+)\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;
// https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html: https://<url-id>.lambda-url.<region>.on.aws
const LAMBDA_URL = /^([a-z0-9]+)\.lambda-url\.[a-z0-9-]+\.on\.aws$/;
// Application and Classic load balancers: name-id.<region>.elb.amazonaws.com; Network: name-id.elb.<region>.amazonaws.com;
// each also answers as dualstack.<dns name> (https://repost.aws/knowledge-center/elb-configure-with-ipv6).
const LOAD_BALANCER = /^(?:dualstack\.)?(.+\.elb\.(?:[a-z0-9-]+\.)?amazonaws\.com(?:\.cn)?)$/;
// https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html: an API's default endpoint, https://<api-id>.execute-api.<region>.amazonaws.com
const EXECUTE_API = /^([a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;

/** Classifies an origin domain (normalised first). */
export function classifyDomain(domain: string): DomainKind {
  const d = normaliseDomain(domain);
  let m: RegExpMatchArray | null;
  if ((m = d.match(S3_WEBSITE))) return { kind: "s3-website", bucket: m[1] };
  if ((m = d.match(S3_REST))) return { kind: "s3-rest", bucket: m[1] };
  if ((m = d.match(LAMBDA_URL))) return { kind: "lambda-url", urlId: m[1] };
  if ((m = d.match(LOAD_BALANCER))) return { kind: "load-balancer", dnsName: m[1] };
  if ((m = d.match(EXECUTE_API))) return { kind: "execute-api", apiId: m[1] };
  return { kind: "other" };
}

/** A load balancer's DNS name without the `dualstack.` prefix, normalised: what two spellings of one load balancer share. */
export function loadBalancerDnsName(domain: string): string {
  const kind = classifyDomain(domain);
  return kind.kind === "load-balancer" ? kind.dnsName : normaliseDomain(domain);
}

/** The host of a URL (as a Lambda function URL output), normalised; undefined when it is not a URL. */
export function hostOf(url: string): string | undefined {
  try {
    return normaliseDomain(new URL(url).hostname);
  } catch {
    return undefined;
  }
}
