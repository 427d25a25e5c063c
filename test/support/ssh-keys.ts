// Well-formed SSH public keys for tests that need a known_hosts line: the config schema parses knownHosts
// (infra/flux/known-hosts.ts), so a key must be the base64 of a real wire-format blob of its type. Not
// keys anyone holds the private half of; `seed` makes different keys of one type.
import type { KNOWN_HOST_KEY_TYPES } from "../../infra/flux/known-hosts.ts";

type KeyType = (typeof KNOWN_HOST_KEY_TYPES)[number];

const wire = (...parts: Buffer[]) =>
  Buffer.concat(
    parts.flatMap((p) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(p.length);
      return [length, p];
    }),
  );

const ECDSA_POINT = { nistp256: 65, nistp384: 97, nistp521: 133 } as const;

/** The base64 key blob of a well-formed public key of `type`. */
export function sshKey(type: KeyType = "ssh-ed25519", seed = 1): string {
  const fill = (n: number) => Buffer.alloc(n, seed);
  const point = (curve: keyof typeof ECDSA_POINT) => Buffer.concat([Buffer.from([4]), fill(ECDSA_POINT[curve] - 1)]);
  const name = Buffer.from(type);
  switch (type) {
    case "ssh-ed25519":
      return wire(name, fill(32)).toString("base64");
    case "sk-ssh-ed25519@openssh.com":
      return wire(name, fill(32), Buffer.from("ssh:")).toString("base64");
    case "ssh-rsa":
      return wire(name, Buffer.from([1, 0, 1]), Buffer.concat([Buffer.from([0]), fill(256)])).toString("base64");
    case "sk-ecdsa-sha2-nistp256@openssh.com":
      return wire(name, Buffer.from("nistp256"), point("nistp256"), Buffer.from("ssh:")).toString("base64");
    default: {
      const curve = type.slice("ecdsa-sha2-".length) as keyof typeof ECDSA_POINT;
      return wire(name, Buffer.from(curve), point(curve)).toString("base64");
    }
  }
}

/** A known_hosts line for `host`. */
export const hostKeyLine = (host: string, type: KeyType = "ssh-ed25519", seed = 1) => `${host} ${type} ${sshKey(type, seed)}`;
