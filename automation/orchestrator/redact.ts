/**
 * Secret redaction for everything the orchestrator writes or prints: progress, logs,
 * events, the run record, the report and the evidence. Known secret values (the
 * passphrase, secret-looking environment variables, secret stack outputs as soon as
 * they are read) are replaced by `[secret]`, plus a few shapes that are secrets
 * wherever they appear: private keys, AWS access keys, `password=...`, bearer tokens, and
 * credentials carried inside URLs — the userinfo (`https://user:pass@host`), and query
 * parameters that are credentials or signatures (`secret_access_key=`, `sig=` of an Azure
 * SAS, `token=`, `access_token=`, `X-Amz-Signature=`, `X-Amz-Credential=`, `X-Goog-Signature=`…).
 */

export const REDACTED = "[secret]";

/** Environment variable names whose values are secrets. */
const SECRET_ENV = /PASSPHRASE|SECRET|TOKEN|PASSWORD|CREDENTIAL|PRIVATE_KEY|ACCESS_KEY|API_KEY|CLIENT_KEY/i;

/**
 * Query parameters whose value is a credential or a signature over one (AWS SigV4 presigned
 * URLs, GCS signed URLs, Azure SAS, OAuth tokens, API keys). Matched case-insensitively.
 */
export const SECRET_QUERY_PARAMS = [
  "secret_access_key", "access_key", "aws_secret_access_key", "session_token", "security_token",
  "x-amz-signature", "x-amz-credential", "x-amz-security-token",
  "x-goog-signature", "x-goog-credential",
  "sig", "signature", "sas", "sastoken", "sas_token",
  "token", "access_token", "id_token", "refresh_token", "auth", "auth_token", "authorization", "bearer", "jwt",
  "key", "api_key", "apikey", "client_secret", "secret", "password", "passwd", "pwd", "passphrase", "code",
];

const escapeRe = (s: string): string => s.replace(/[-[\]{}()*+?.,\\^$|#]/g, "\\$&");
/** `?name=value`, `&name=value`, `;name=value`, or a bare SAS/query string starting a word. */
const QUERY_PARAM = new RegExp(`((?:^|[?&;\\s])(?:${SECRET_QUERY_PARAMS.map(escapeRe).join("|")})=)[^&#\\s"'<>]+`, "gi");

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  // URL userinfo: everything between `scheme://` and the last `@` before the host.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]+@/gi, `$1${REDACTED}@`],
  [QUERY_PARAM, `$1${REDACTED}`],
  [/\b(bearer)(\s+)[A-Za-z0-9._~+/-]+=*/gi, `$1$2${REDACTED}`],
  [/\b(password|passphrase|secret|token|api[_-]?key)(["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi, `$1$2${REDACTED}`],
];

/** Shortest value treated as a secret; shorter ones would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;
/**
 * Shortest leaf of a secret *object* treated as a secret. Pulumi marks a whole output secret
 * when one field is, so a structured secret output (a stack's `services`, the pki's
 * `intermediates`) also carries structure words ("domain", "workload"): masking those everywhere
 * would blank ordinary text. Key material, tokens and generated passwords are longer than this.
 */
const MIN_NESTED_SECRET_LENGTH = 12;

export class Redactor {
  private secrets: string[] = [];

  constructor(values: Iterable<string> = []) {
    for (const v of values) this.add(v);
  }

  /** The values of secret-looking variables of an environment (`PULUMI_CONFIG_PASSPHRASE`, `*_TOKEN`...). */
  static fromEnvironment(env: NodeJS.ProcessEnv): Redactor {
    return new Redactor(
      Object.entries(env)
        .filter(([k, v]) => SECRET_ENV.test(k) && v !== undefined)
        .map(([, v]) => v as string),
    );
  }

  /**
   * Treat a value as secret from now on; objects and arrays contribute every string leaf of at
   * least MIN_NESTED_SECRET_LENGTH characters. Numbers and booleans are never text-matched: in
   * JSON text a masked number turns into an unquoted `[secret]` and the record stops parsing,
   * and "1" or "99.9" would be masked wherever they appear.
   */
  add(value: unknown, nested = false): void {
    if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean") return;
    if (typeof value === "object") {
      for (const v of Object.values(value as Record<string, unknown>)) this.add(v, true);
      return;
    }
    const s = String(value);
    if (s.length < (nested ? MIN_NESTED_SECRET_LENGTH : MIN_SECRET_LENGTH) || this.secrets.includes(s)) return;
    // Also the JSON-escaped form, which is how a value with quotes or newlines shows up in JSON text.
    const escaped = JSON.stringify(s).slice(1, -1);
    this.secrets.push(s);
    if (escaped !== s) this.secrets.push(escaped);
    this.secrets.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(REDACTED);
    for (const [re, by] of PATTERNS) out = out.replace(re, by);
    return out;
  }

  /** A deep copy with every string redacted (keys included). */
  redactDeep<T>(value: T): T {
    if (typeof value === "string") return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [this.redact(k), this.redactDeep(v)])) as T;
    }
    return value;
  }
}
