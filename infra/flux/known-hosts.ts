// github.com SSH host keys as GitHub publishes them ("GitHub's SSH key fingerprints" and the
// `ssh_keys` of api.github.com/meta). Pinned so the cluster never trusts on first use; override
// with the `flux-gitops:knownHosts` config for GitHub Enterprise or after a GitHub key rotation.
export const GITHUB_KNOWN_HOSTS = [
  "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
  "github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
  "github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
].join("\n");

/** known_hosts for the configured Git host: the override if given, else GitHub's pinned keys. */
export function knownHostsFor(host: string, override: string | undefined): string {
  if (override !== undefined) return override.trim() + "\n";
  if (host !== "github.com") {
    throw new Error(`flux-gitops:knownHosts is required when repository.host is '${host}' (only github.com keys are pinned)`);
  }
  return GITHUB_KNOWN_HOSTS + "\n";
}

/** Key types a known_hosts line may pin (OpenSSH sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"; no DSA, no certificates). */
export const KNOWN_HOST_KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
] as const;

/** The length-prefixed strings of an SSH wire-format key blob (RFC 4253 §6.6), or undefined if it does not split exactly. */
function wireStrings(blob: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(at);
    if (at + 4 + length > blob.length) return undefined;
    out.push(blob.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

const ECDSA_POINT: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };

/** Whether `blob` is a well-formed public key of `type` (its own type name first, then the fields the type has). */
function wellFormedKey(type: string, blob: Buffer): boolean {
  const parts = wireStrings(blob);
  if (parts === undefined || parts[0]?.toString("latin1") !== type) return false;
  const [, a, b, c] = parts;
  switch (type) {
    case "ssh-ed25519":
      return parts.length === 2 && a!.length === 32;
    case "sk-ssh-ed25519@openssh.com":
      return parts.length === 3 && a!.length === 32 && b!.length > 0;
    case "ssh-rsa":
      // exponent and modulus (mpints); OpenSSH refuses moduli under 1024 bits.
      return parts.length === 3 && a!.length > 0 && b!.length >= 128;
    case "sk-ecdsa-sha2-nistp256@openssh.com":
      return parts.length === 4 && a!.toString("latin1") === "nistp256" && b!.length === 65 && b![0] === 4 && c!.length > 0;
    default: {
      const curve = type.slice("ecdsa-sha2-".length);
      return parts.length === 3 && a!.toString("latin1") === curve && b!.length === ECDSA_POINT[curve] && b![0] === 4;
    }
  }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;
const HASHED_HOST = /^\|1\|[A-Za-z0-9+/]+={0,2}\|[A-Za-z0-9+/]+={0,2}$/;
const shown = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** One host of a line's comma-separated host list: a name, an address, `[host]:port`, or a hashed `|1|salt|hash`. */
function hostProblem(host: string): string | undefined {
  if (/[*?!]/.test(host)) {
    return `host pattern ${shown(host)} has a wildcard or negation (*, ?, !): name the Git host itself, so no other host's key is trusted for it`;
  }
  if (HASHED_HOST.test(host)) return undefined;
  const bracketed = /^\[([^\]]+)\]:([0-9]{1,5})$/.exec(host);
  const name = bracketed ? bracketed[1]! : host;
  if (bracketed && Number(bracketed[2]) > 65535) return `host ${shown(host)} has a port above 65535`;
  if (HOST_NAME.test(name) || IPV6.test(name)) return undefined;
  return `host ${shown(host)} is not a host name, an address, [host]:port or a hashed |1|… entry`;
}

/**
 * Why `text` is not a list of plain OpenSSH known_hosts lines (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT":
 * `[marker] hostnames keytype base64-key [comment]`), or undefined. Empty lines and `#` comments are fine.
 * Refused: a marker (`@cert-authority` trusts every host key its CA signs, `@revoked` is no pin), a host
 * pattern with a wildcard or negation, an unknown key type, and a key that is not valid base64 of a
 * well-formed key of the type the line names (golang.org/x/crypto/ssh/knownhosts, which Flux's
 * source-controller reads the Secret's known_hosts with, fails on that key at clone time).
 */
export function knownHostsProblem(text: string): string | undefined {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const at = `line ${i + 1}`;
    const fields = line.split(/ +/);
    if (fields[0]!.startsWith("@")) {
      return `${at}: the marker ${shown(fields[0]!)} is not allowed (a @cert-authority key would vouch for any host key it signs): list the Git host's own keys`;
    }
    if (fields.length < 3) return `${at} has fewer than three fields`;
    const [hosts, type, key] = fields as [string, string, string];
    for (const host of hosts.split(",")) {
      const problem = hostProblem(host);
      if (problem !== undefined) return `${at}: ${problem}`;
    }
    if (!(KNOWN_HOST_KEY_TYPES as readonly string[]).includes(type)) {
      return `${at}: key type ${shown(type)} is not one of ${KNOWN_HOST_KEY_TYPES.join(", ")}`;
    }
    const blob = BASE64.test(key) && key.length % 4 === 0 ? Buffer.from(key, "base64") : undefined;
    if (blob === undefined || blob.toString("base64") !== key || !wellFormedKey(type, blob)) {
      return `${at}: the key is not the base64 of a well-formed ${type} public key`;
    }
  }
  if (lines.every((l) => l.trim() === "" || l.trim().startsWith("#"))) return "holds no host key line";
  return undefined;
}
